import { BanksyncError } from '../../domain/errors.js';
import { registerSecret } from '../../secrets/index.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The protocol asks apps to talk TLS only; plain http is allowed on loopback alone, where the
 * test mocks (and a person trying the CLI against one) live.
 */
export function checkScheme(url: URL, what: string): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return;
  throw new BanksyncError('BAD_INPUT', `SimpleFIN: the ${what} must use https:// (plain http:// only on 127.0.0.1 or localhost); nothing was changed`);
}

const SETUP_HINT = 'create a setup token at the SimpleFIN Bridge (https://bridge.simplefin.org/simplefin/create) and paste it whole';

/**
 * A setup token is the base64 of a claim URL (protocol §"POST /claim/:token"). Garbage gets one
 * clear line that never repeats what was pasted: a real token is a one-time secret.
 */
export function decodeSetupToken(token: string | undefined): URL {
  const text = (token ?? '').trim();
  registerSecret(text);
  if (!text) throw new BanksyncError('BAD_INPUT', 'SimpleFIN needs a setup token (--setup-token TOKEN)', { hint: SETUP_HINT });
  if (/^https?:\/\//i.test(text)) {
    throw new BanksyncError('BAD_INPUT', 'SimpleFIN: that is a web address, not a setup token; a setup token is a single line of letters and digits (base64)', { hint: SETUP_HINT });
  }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    throw new BanksyncError('BAD_INPUT', `SimpleFIN: the setup token is not base64 (${text.length} characters; it may be cut short or have extra characters)`, { hint: SETUP_HINT });
  }
  const decoded = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  registerSecret(decoded);
  let url: URL;
  try {
    if (!/^https?:\/\/[^\s]+$/i.test(decoded)) throw new Error('not a URL');
    url = new URL(decoded);
  } catch {
    throw new BanksyncError('BAD_INPUT', 'SimpleFIN: the setup token does not decode to a claim address; it may be cut short', { hint: SETUP_HINT });
  }
  if (url.username || url.password) {
    throw new BanksyncError('BAD_INPUT', 'SimpleFIN: the setup token decodes to an address with credentials in it, not to a claim address', { hint: SETUP_HINT });
  }
  if (!/\/claim\/[^/]+\/?$/.test(url.pathname)) {
    throw new BanksyncError('BAD_INPUT', 'SimpleFIN: the setup token does not decode to a claim address (…/claim/…)', { hint: SETUP_HINT });
  }
  checkScheme(url, 'claim address in the setup token');
  // The path's last part is the one-time code: it must not reach a message on its own either.
  registerSecret(decodeURIComponent(url.pathname.replace(/\/+$/, '').split('/').pop() ?? ''));
  return url;
}

/** The Access URL split into its root and its Basic credentials; every part is registered as a secret. */
export interface AccessParts {
  root: string;
  authorization: string;
}

export function parseAccessUrl(accessUrl: string): AccessParts {
  registerSecret(accessUrl);
  let url: URL;
  try {
    url = new URL(accessUrl.trim());
  } catch {
    throw new BanksyncError('PROVIDER_ERROR', 'SimpleFIN: the Access URL is not a valid address');
  }
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  // Short passwords (the public demo's "demo") would blank that word everywhere; real ones are long.
  if (pass.length >= 8) {
    registerSecret(pass);
    registerSecret(url.password);
  }
  registerSecret(`${url.username}:${url.password}`);
  if (!user || !pass) throw new BanksyncError('PROVIDER_ERROR', 'SimpleFIN: the Access URL carries no credentials');
  checkScheme(url, 'Access URL');
  const basic = Buffer.from(`${user}:${pass}`).toString('base64');
  registerSecret(basic);
  url.username = '';
  url.password = '';
  return { root: url.toString().replace(/\/+$/, ''), authorization: `Basic ${basic}` };
}
