import type { CredentialField } from '../types.js';

/** The app credentials the user sets up once (M5); light, so the CLI can build flags without the adapter. */
export const GOCARDLESS_CREDENTIALS: CredentialField[] = [
  { name: 'secret_id', label: 'GoCardless secret id', secret: true },
  { name: 'secret_key', label: 'GoCardless secret key', secret: true },
];
