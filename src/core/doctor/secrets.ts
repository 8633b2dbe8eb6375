import { existsSync, readFileSync, statSync } from 'node:fs';
import { BanksyncError } from '../../domain/errors.js';
import { keyProblem, type KeySource } from '../../secrets/index.js';
import type { StorePort } from '../../store/index.js';
import { fail, ok, warn, type Check, type DoctorFormat } from './types.js';

/** 'connection:3' → 'c3', 'provider:plaid' → 'plaid credentials', as a person looks them up. */
const ownerName = (owner: string) =>
  owner
    .replace(/^connection:(\d+)$/, 'c$1')
    .replace(/^provider:(.+)$/, '$1 credentials')
    .replace(/^provider-state:(.+)$/, '$1 state');

/** Where the key comes from and whether it has the right shape; never its value. */
export function keyCheck(src: KeySource, sealed: number, fmt: DoctorFormat): Check {
  if (src.envKey) {
    const problem = keyProblem(src.envKey);
    if (problem)
      return fail('secret-key', `BANKSYNC_SECRET_KEY is malformed: ${problem}`, `set it to the 32-byte base64 key your credentials were sealed with (the contents of ${src.keyFile}), or unset it`);
    return ok('secret-key', 'the secret key comes from BANKSYNC_SECRET_KEY');
  }
  if (!existsSync(src.keyFile)) {
    if (sealed === 0) return ok('secret-key', `no secret key yet: ${src.keyFile} is made when a credential is first stored`);
    return fail(
      'secret-key',
      `the key file ${src.keyFile} is missing and the database holds ${fmt.plural(sealed, 'sealed credential')}`,
      `restore ${src.keyFile} from your backup (or give its contents as BANKSYNC_SECRET_KEY)`,
    );
  }
  let text: string;
  try {
    text = readFileSync(src.keyFile, 'utf8');
  } catch (err) {
    return fail('secret-key', `cannot read the key file ${src.keyFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, `make it readable by you: chmod 600 ${src.keyFile}`);
  }
  const problem = keyProblem(text);
  if (problem) return fail('secret-key', `the key file ${src.keyFile} is damaged: ${problem}`, 'restore it from your backup');
  // Anyone who can read the key and a copy of the database can read every credential.
  if ((statSync(src.keyFile).mode & 0o077) !== 0) return warn('secret-key', `the key file ${src.keyFile} can be read by other users`, `chmod 600 ${src.keyFile}`);
  return ok('secret-key', `the secret key is in ${src.keyFile}`);
}

/** Opens every sealed value with the key (values stay in memory, registered for redaction, never shown). */
export async function secretsCheck(db: StorePort, owners: string[], fmt: DoctorFormat): Promise<Check> {
  if (owners.length === 0) return ok('secrets', 'no stored credentials to open');
  const failed: { owner: string; error: BanksyncError }[] = [];
  for (const owner of owners) {
    try {
      await db.secrets.get(owner);
    } catch (err) {
      if (!(err instanceof BanksyncError)) throw err;
      failed.push({ owner, error: err });
    }
  }
  if (failed.length === 0) return ok('secrets', `${fmt.plural(owners.length, 'stored credential')} checked: ${owners.length === 1 ? 'it opens' : 'all open'} with the key`);
  const first = failed[0]!.error;
  const wrongKey = first.reason === 'wrong-key';
  const why = wrongKey ? 'the key is not the one they were sealed with' : first.message;
  return fail('secrets', `${failed.length} of ${fmt.plural(owners.length, 'stored credential')} cannot be opened (${failed.map((f) => ownerName(f.owner)).join(', ')}): ${why}`, first.hint ?? null);
}
