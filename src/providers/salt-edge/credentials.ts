import type { CredentialField } from '../types.js';

/**
 * The app credentials the user sets up once. Every request is signed: Live clients must sign,
 * Test/Pending clients may, and Salt Edge verifies a signature whenever one is sent — so one code
 * path serves every client status (upload the public key in the dashboard first).
 */
export const SALT_EDGE_CREDENTIALS: CredentialField[] = [
  { name: 'app_id', label: 'Salt Edge App-id', secret: false },
  { name: 'secret', label: 'Salt Edge Secret', secret: true },
  { name: 'private_key', label: 'RSA private key that signs requests (.pem; its public key is in the Salt Edge dashboard)', secret: true, file: true },
];
