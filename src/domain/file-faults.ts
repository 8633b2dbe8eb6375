import { BanksyncError } from './errors.js';

/**
 * errno codes that mean the system refused a file we write (full, read-only, no permission),
 * as opposed to a path that was mistyped. They exit 7, so a cron wrapper can tell "fix the
 * disk" from "fix the command".
 */
const REFUSALS: Record<string, { what: string; fix: string }> = {
  ENOSPC: { what: 'no space left on the disk', fix: 'free some space there' },
  EDQUOT: { what: 'the disk quota is used up', fix: 'free some space there' },
  EFBIG: { what: 'the file is larger than the file system allows', fix: 'write to another file system' },
  EROFS: { what: 'the file system is read-only', fix: 'write to a writable place' },
  EACCES: { what: 'permission denied', fix: "check its permissions and its directory's" },
  EPERM: { what: 'operation not permitted', fix: "check its permissions and its directory's" },
  EIO: { what: 'input/output error from the disk', fix: 'check the disk (dmesg)' },
  EISDIR: { what: 'it is a directory', fix: 'name a file' },
};

export const errnoOf = (err: unknown): string | undefined => {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
};

/** One line for a file (or standard output) the system refused to let us write; undefined when it is no such refusal. */
export function fileFault(err: unknown, shownAs: string, elsewhere: string): BanksyncError | undefined {
  const code = errnoOf(err);
  const refusal = code ? REFUSALS[code] : undefined;
  if (!refusal) return undefined;
  return new BanksyncError('ENVIRONMENT', `cannot write ${shownAs}: ${refusal.what} (${code}); nothing was written`, {
    hint: `${refusal.fix}, or ${elsewhere}`,
    cause: err,
  });
}
