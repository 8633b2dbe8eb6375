import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { BanksyncError } from '../../domain/errors.js';
import { SETUP_HINT } from './errors.js';

const invalid = (message: string) => new BanksyncError('CREDENTIALS_INVALID', `Ponto: ${message}`, { hint: SETUP_HINT });

/**
 * The application's mTLS material, checked locally first: a key that does not match its
 * certificate otherwise surfaces as an opaque OpenSSL error on the first call. Messages name
 * the field, never its content.
 */
export function clientTls(credentials: Record<string, string>, now: Date): { cert: string; key: string } {
  const cert = credentials.certificate;
  const key = credentials.certificate_key;
  if (!cert || !key) {
    const missing = !cert ? 'client certificate (.pem)' : 'certificate private key (.pem)';
    throw new BanksyncError('NOT_CONFIGURED', `Ponto needs your ${missing}`, { hint: SETUP_HINT });
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw invalid('the Ponto client certificate is not a PEM certificate');
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    throw invalid('the Ponto certificate private key cannot be read (it must be an unencrypted PEM private key)');
  }
  if (!x509.checkPrivateKey(privateKey)) throw invalid('the Ponto certificate private key does not belong to the Ponto client certificate');
  const validTo = Date.parse(x509.validTo);
  if (Number.isFinite(validTo) && validTo < now.getTime()) {
    throw invalid(`the Ponto client certificate expired on ${new Date(validTo).toISOString().slice(0, 10)}`);
  }
  return { cert, key };
}
