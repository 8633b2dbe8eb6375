import { ENABLE_BANKING_CREDENTIALS } from './enable-banking/credentials.js';
import { GOCARDLESS_CREDENTIALS } from './gocardless/credentials.js';
import { PLAID_CREDENTIALS } from './plaid/credentials.js';
import { PONTO_CREDENTIALS } from './ponto/credentials.js';
import type { CredentialField } from './types.js';

/**
 * Each provider's credential fields without loading its adapter: `providers setup` builds its
 * flags from these at start-up. The adapters' capabilities use the same lists.
 */
export const CREDENTIAL_FIELDS: Readonly<Record<string, CredentialField[]>> = {
  sandbox: [],
  gocardless: GOCARDLESS_CREDENTIALS,
  'enable-banking': ENABLE_BANKING_CREDENTIALS,
  ponto: PONTO_CREDENTIALS,
  plaid: PLAID_CREDENTIALS,
};
