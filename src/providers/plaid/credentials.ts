import type { CredentialField } from '../types.js';

/** The app credentials the user sets up once; light, so the CLI can build flags without the adapter. */
export const PLAID_CREDENTIALS: CredentialField[] = [
  { name: 'client_id', label: 'Plaid client id', secret: false },
  { name: 'secret', label: 'Plaid secret (of the chosen environment)', secret: true },
  { name: 'env', label: 'Plaid environment (sandbox or production)', secret: false, example: 'sandbox' },
];
