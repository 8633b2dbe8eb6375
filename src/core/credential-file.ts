import { readFileSync } from 'node:fs';
import type { CredentialField } from '../providers/types.js';
import { registerSecret } from '../secrets/index.js';
import { badInput } from '../domain/errors.js';

/** The command-line flag for a credential field: secret_id → --secret-id. */
export const credentialFlag = (f: CredentialField) => `--${f.name.replace(/_/g, '-')}`;

/** Reads a PEM file named by a flag, env variable or prompt; its content is what gets stored. */
export function readCredentialFile(field: CredentialField, path: string, from: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw badInput(`${from}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, `give the path of your ${field.label}`);
  }
  if (!/-----BEGIN [A-Z0-9 ]+-----/.test(text)) {
    throw badInput(`${from}: ${path} is not a PEM file`, `give the path of your ${field.label} (it starts with -----BEGIN)`);
  }
  registerSecret(text);
  return text;
}
