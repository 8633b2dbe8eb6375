import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { ApiError } from './errors.js';

/** Longest JWT lifetime the mock accepts (facts §5.2: believed 24 h, unverified). */
export const MAX_JWT_LIFETIME_S = 86_400;

export interface Application {
  id: string;
  privateKeyPem: string;
  publicKey: KeyObject;
}

/** The application's key pair: the given PKCS#8 PEM, or a fresh RSA-2048 pair. */
export function makeApplication(id: string, privateKeyPem?: string): Application {
  const pem = privateKeyPem ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { id, privateKeyPem: pem, publicKey: createPublicKey(createPrivateKey(pem)) };
}

const denied = (detail: string) => new ApiError('UNAUTHORIZED_ACCESS', 'Unauthorized access', detail);

/**
 * Verifies `Authorization: Bearer <JWT>` (facts §5.2): RS256, kid = a known application id,
 * iss/aud fixed, iat+exp present, not expired by `now`, lifetime within 24 h.
 */
export async function authenticate(header: string | undefined, apps: Application[], now: Date): Promise<Application> {
  if (!header) throw new ApiError('AUTHORIZATION_NOT_PROVIDED', 'Authorization not provided', 'Authorization header is missing');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw denied('Authorization header must be "Bearer <JWT>"');
  const token = match[1]!;

  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    throw denied('Malformed JWT');
  }
  const app = apps.find((a) => a.id === kid);
  if (!app) throw denied(kid ? `Unknown application key id ${kid}` : 'JWT header has no kid');

  try {
    const { payload } = await jwtVerify(token, app.publicKey, {
      algorithms: ['RS256'],
      issuer: 'enablebanking.com',
      audience: 'api.enablebanking.com',
      requiredClaims: ['iat', 'exp'],
      currentDate: now,
    });
    if (payload.exp! - payload.iat! > MAX_JWT_LIFETIME_S) throw denied(`JWT lifetime exceeds ${MAX_JWT_LIFETIME_S} seconds`);
    return app;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof errors.JWTExpired) throw denied('JWT has expired');
    if (err instanceof errors.JOSEError) throw denied(`Invalid JWT: ${err.message}`);
    throw err;
  }
}
