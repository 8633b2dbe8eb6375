import type { CredentialField } from '../types.js';

/** The app credentials the user sets up once (M5); light, so the CLI can build flags without the adapter. */
export const PONTO_CREDENTIALS: CredentialField[] = [
  { name: 'client_id', label: 'Ponto client id', secret: false },
  { name: 'client_secret', label: 'Ponto client secret', secret: true },
  { name: 'certificate', label: 'Ponto client certificate (.pem)', secret: false, file: true },
  { name: 'certificate_key', label: 'Ponto certificate private key (.pem)', secret: true, file: true },
];
