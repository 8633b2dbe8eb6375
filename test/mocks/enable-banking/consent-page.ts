import { bankAccounts } from './accounts.js';
import type { MockState } from './state.js';
import { escapeHtml } from './util.js';

export interface PageResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const html = (status: number, title: string, inner: string): PageResponse => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  body: `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${inner}</body></html>`,
});

const message = (status: number, title: string, text: string) => html(status, title, `<p>${escapeHtml(text)}</p>`);

/**
 * GET /welcome?sessionid=… — the fake bank page behind POST /auth's `url` (facts §5.3 step 4).
 * Sandbox credentials are shown pre-filled but read-only and unnamed: the PSU is fixed by the
 * hidden `username` input so a script that posts only hidden inputs gets the same result.
 */
export function consentPage(state: MockState, authorizationId: string | null): PageResponse {
  const auth = authorizationId ? state.authorizations.get(authorizationId) : undefined;
  if (!auth) return message(404, 'Authorization not found', 'This consent link is unknown.');
  if (auth.decision) return message(400, 'Link already used', 'This consent link has already been used. Start again from your application.');
  const user = auth.aspsp.users[0]!;
  const accounts = bankAccounts(auth.aspsp, user).filter((a) => !auth.ibans || (a.iban !== undefined && auth.ibans.includes(a.iban)));
  const rows = accounts.map((a) => `<li>${escapeHtml(a.iban ?? a.maskedPan ?? '')} (${a.kind}, ${a.currency})</li>`).join('');
  const field = (label: string, value: string) => `<label>${label} <input type="text" value="${escapeHtml(value)}" readonly></label><br>`;
  return html(
    200,
    `${auth.aspsp.name} (${auth.aspsp.country}) — sandbox login`,
    `<p>Enable Banking mock: grant access until ${escapeHtml(auth.validUntil.toISOString())}.</p>` +
      field('Username', user.username) +
      field('Password', user.password) +
      field('One-time password', user.otp) +
      `<p>Accounts to share:</p><ul>${rows}</ul>` +
      `<form method="post" action="/welcome">` +
      `<input type="hidden" name="sessionid" value="${escapeHtml(auth.id)}">` +
      `<input type="hidden" name="username" value="${escapeHtml(user.username)}">` +
      `<button type="submit" name="decision" value="approve" id="approve">Approve</button> ` +
      `<button type="submit" name="decision" value="deny" id="deny">Deny</button>` +
      `</form>`,
  );
}

/** POST /welcome: approve → redirect with code+state; deny → OAuth2-style error redirect (§5.3). */
export function consentDecision(state: MockState, form: URLSearchParams, now: Date): PageResponse {
  const auth = state.authorizations.get(form.get('sessionid') ?? '');
  if (!auth) return message(404, 'Authorization not found', 'This consent link is unknown.');
  if (auth.decision) return message(400, 'Link already used', 'This consent has already been decided.');
  const decision = form.get('decision');
  if (decision !== 'approve' && decision !== 'deny') return message(400, 'Bad request', 'decision must be approve or deny.');
  const username = form.get('username') ?? auth.aspsp.users[0]!.username;
  if (!auth.aspsp.users.some((u) => u.username === username)) return message(400, 'Wrong credentials', `Unknown sandbox user ${username}.`);

  auth.decision = decision;
  const target = new URL(auth.redirectUrl);
  if (decision === 'approve') {
    auth.username = username;
    auth.code = state.nextId('code');
    auth.codeIssuedAt = now;
    state.codes.set(auth.code, auth);
    target.searchParams.set('code', auth.code);
  } else {
    target.searchParams.set('error', 'access_denied');
    target.searchParams.set('error_description', 'The PSU did not give consent');
  }
  target.searchParams.set('state', auth.state);
  return { status: 302, headers: { location: target.toString(), 'cache-control': 'no-store' }, body: '' };
}
