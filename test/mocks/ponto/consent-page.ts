// The browser side (authorization.myponto.com in real life, facts §1.3/§1.8): the OAuth consent
// page and the account reauthorization page. Both follow the shared consent page contract:
// one POST form, hidden inputs, #approve / #deny submit buttons, a 302 back to the client.
import { decideAuthorization, startAuthorization, type AuthorizeOutcome } from './oauth.js';
import { authorize, type MockState } from './state.js';

export interface BrowserResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

function page(status: number, title: string, content: string): BrowserResponse {
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<h1>${escapeHtml(title)}</h1>
${content}
</body>
</html>
`;
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body: html };
}

const redirect = (location: string): BrowserResponse => ({ status: 302, headers: { location }, body: '' });

function decisionForm(action: string, hidden: [string, string][], intro: string, items: string[]): string {
  const inputs = hidden.map(([n, v]) => `<input type="hidden" name="${escapeHtml(n)}" value="${escapeHtml(v)}">`).join('\n');
  const list = items.length > 0 ? `<ul>\n${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>` : '';
  return `<p>${escapeHtml(intro)}</p>
${list}
<form method="post" action="${escapeHtml(action)}">
${inputs}
<button type="submit" name="decision" value="approve" id="approve">Approve</button>
<button type="submit" name="decision" value="deny" id="deny">Deny</button>
</form>`;
}

function accountLine(state: MockState, accountId: string): string {
  const account = state.accounts.get(accountId);
  if (!account) return accountId;
  const bank = state.institutions.find((i) => i.id === account.institutionId)?.attributes.name ?? 'bank';
  return `${bank} · ${account.description} · ${account.reference}`;
}

function outcome(result: AuthorizeOutcome, state: MockState): BrowserResponse {
  if (result.kind === 'redirect') return redirect(result.location);
  if (result.kind === 'error-page') return page(result.status, 'Authorization error', `<p>${escapeHtml(result.message)}</p>`);
  const accountIds = [...state.accounts.keys()];
  const scopes = result.request.scopes.join(' ') || '(none)';
  return page(
    200,
    'Ponto · Connect your accounts',
    decisionForm(
      '/oauth2/auth',
      [['consent_challenge', result.challenge], ...accountIds.map((id): [string, string] => ['account', id])],
      `${state.clientId} asks for access (scope: ${scopes}) to these accounts:`,
      accountIds.map((id) => accountLine(state, id)),
    ),
  );
}

/** Handles one request on the authorization listener. `body` is the raw form body for POSTs. */
export function handleBrowser(state: MockState, method: string, url: URL, body: string): BrowserResponse {
  if (url.pathname === '/oauth2/auth' && method === 'GET') return outcome(startAuthorization(state, url.searchParams), state);
  if (url.pathname === '/oauth2/auth' && method === 'POST') {
    const form = new URLSearchParams(body);
    const decision = form.get('decision');
    if (decision !== 'approve' && decision !== 'deny') return page(400, 'Authorization error', '<p>Choose approve or deny.</p>');
    return outcome(decideAuthorization(state, form.get('consent_challenge') ?? '', decision === 'approve', form.getAll('account')), state);
  }
  const reauth = /^\/reauthorize\/([^/]+)$/.exec(url.pathname);
  const request = reauth?.[1] ? state.reauthorizations.get(reauth[1]) : undefined;
  if (!request || request.used) return page(404, 'Not found', '<p>This link is unknown or was already used.</p>');
  if (method === 'GET') {
    return page(
      200,
      'Ponto · Renew your bank authorization',
      decisionForm(url.pathname, [['reauthorization_request', request.id]], 'Renew access to this account:', [accountLine(state, request.accountId)]),
    );
  }
  if (method !== 'POST') return page(405, 'Method not allowed', '');
  const decision = new URLSearchParams(body).get('decision');
  if (decision !== 'approve' && decision !== 'deny') return page(400, 'Reauthorization error', '<p>Choose approve or deny.</p>');
  request.used = true;
  const account = state.accounts.get(request.accountId);
  if (decision === 'approve' && account) authorize(account, state.now());
  // The facts name no parameters for this return; the client re-reads the account to see the outcome.
  return redirect(request.redirectUri);
}
