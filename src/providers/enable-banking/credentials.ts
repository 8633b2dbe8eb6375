import type { CredentialField } from '../types.js';

/** The app credentials the user sets up once (M5); light, so the CLI can build flags without the adapter. */
export const ENABLE_BANKING_CREDENTIALS: CredentialField[] = [
  { name: 'application_id', label: 'Enable Banking application id', secret: false },
  { name: 'private_key', label: 'Enable Banking private key (.pem)', secret: true, file: true },
];
