import type { CredentialField } from '../types.js';

/** The app credentials the user sets up once; light, so the CLI can build flags without the adapter. */
export const YODLEE_CREDENTIALS: CredentialField[] = [
  { name: 'client_id', label: 'Yodlee client id (API key)', secret: false },
  { name: 'secret', label: 'Yodlee secret', secret: true },
  { name: 'admin_login_name', label: 'Yodlee admin login name', secret: false },
];
