// JWT access/refresh tokens (facts §2.2). Lifetimes run on the mock clock;
// tokens are HS256 JWTs so clients that decode `exp` see consistent values.
import { createHmac, randomUUID } from 'node:crypto';
import type { Handler, MockContext } from './context.js';
import { errorA, invalidToken } from './errors.js';

export const ACCESS_EXPIRES = 86_400;
export const REFRESH_EXPIRES = 2_592_000;

function b64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function issue(ctx: MockContext, type: 'access' | 'refresh', lifetime: number): string {
  const expiresAt = ctx.now().getTime() + lifetime * 1000;
  const jti = randomUUID().replace(/-/g, '');
  const payload = { token_type: type, exp: Math.floor(expiresAt / 1000), jti, id: 1, secret_id: ctx.secretId };
  const unsigned = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(payload)}`;
  const token = `${unsigned}.${createHmac('sha256', 'gocardless-mock').update(unsigned).digest('base64url')}`;
  ctx.store.tokens.set(token, { type, expiresAt });
  return token;
}

function valid(ctx: MockContext, token: string, type: 'access' | 'refresh'): boolean {
  const t = ctx.store.tokens.get(token);
  return !!t && t.type === type && ctx.now().getTime() < t.expiresAt;
}

export const tokenNew: Handler = (ctx, { body }) => {
  if (body.secret_id !== ctx.secretId || body.secret_key !== ctx.secretKey) {
    return errorA(401, 'Authentication failed', 'No active account found with the given credentials');
  }
  return {
    status: 200,
    body: {
      access: issue(ctx, 'access', ACCESS_EXPIRES),
      access_expires: ACCESS_EXPIRES,
      refresh: issue(ctx, 'refresh', REFRESH_EXPIRES),
      refresh_expires: REFRESH_EXPIRES,
    },
  };
};

export const tokenRefresh: Handler = (ctx, { body }) => {
  if (typeof body.refresh !== 'string' || !valid(ctx, body.refresh, 'refresh')) return invalidToken();
  return { status: 200, body: { access: issue(ctx, 'access', ACCESS_EXPIRES), access_expires: ACCESS_EXPIRES } };
};

/** Bearer access token check for every non-token endpoint. */
export function isAuthenticated(ctx: MockContext, headers: Record<string, string | string[]>): boolean {
  const header = headers.authorization;
  const match = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header) : null;
  return !!match?.[1] && valid(ctx, match[1], 'access');
}
