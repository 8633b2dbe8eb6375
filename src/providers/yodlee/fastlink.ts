/** FastLink 4 on our own loopback page (ConsentStart.page): the widget is Yodlee's, the page is ours. */

export const FASTLINK_SANDBOX_URL = 'https://fl4.sandbox.yodlee.com/authenticate/restserver/fastlink';
export const FASTLINK_SCRIPT_URL = 'https://cdn.yodlee.com/fastlink/v4/initialize.js';
/** FastLink 4 wants a configName made in Yodlee's Configuration Tool; "Aggregation" is the usual default (unverified). */
export const FASTLINK_DEFAULT_CONFIG = 'Aggregation';

export interface FastLinkSettings {
  fastLinkUrl: string;
  scriptUrl: string;
  configName: string;
}

export function fastLinkSettings(env: NodeJS.ProcessEnv): FastLinkSettings {
  return {
    fastLinkUrl: env.BANKSYNC_YODLEE_FASTLINK_URL || FASTLINK_SANDBOX_URL,
    scriptUrl: env.BANKSYNC_YODLEE_FASTLINK_SCRIPT || FASTLINK_SCRIPT_URL,
    configName: env.BANKSYNC_YODLEE_FASTLINK_CONFIG || FASTLINK_DEFAULT_CONFIG,
  };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The page the loopback listener serves at /connect. The user's access token is written into it
 * here, server-side (never in an address); the widget's outcome is posted to `callbackUrl` as JSON
 * with our `state`: { providerAccountId, status, providerName } or { error, error_description }.
 */
export function fastLinkPage(o: {
  settings: FastLinkSettings;
  accessToken: string;
  state: string;
  callbackUrl: string;
  /** Edit (update-credentials) of an existing provider account; absent = link a new one. */
  providerAccountId?: string;
}): string {
  const params: Record<string, string | number> = { configName: o.settings.configName };
  if (o.providerAccountId) {
    params.flow = 'edit';
    params.providerAccountId = Number(o.providerAccountId);
  }
  const cfg = { fastLinkURL: o.settings.fastLinkUrl, accessToken: `Bearer ${o.accessToken}`, params, state: o.state, callback: o.callbackUrl };
  // JSON in a script element: "<" escaped so no value can close the element.
  const json = JSON.stringify(cfg).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>banksync: link your bank with Yodlee</title></head>
<body style="font-family:sans-serif;margin:2em">
<h1>Link your bank with Yodlee FastLink</h1>
<p id="status">Loading FastLink…</p>
<div id="container-fastlink"></div>
<script type="application/json" id="banksync-fastlink">${json}</script>
<script src="${escapeHtml(o.settings.scriptUrl)}"></script>
<script>
(function () {
  var cfg = JSON.parse(document.getElementById('banksync-fastlink').textContent);
  var status = document.getElementById('status');
  var linked = [];
  var lastError = null;
  var sent = false;
  function post(fields) {
    if (sent) return;
    sent = true;
    fields.state = cfg.state;
    fetch(cfg.callback, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fields) })
      .then(function (r) { status.textContent = r.ok ? 'Done: go back to the terminal; you can close this tab.' : 'banksync did not accept the answer (HTTP ' + r.status + ').'; })
      .catch(function () { status.textContent = 'banksync is no longer waiting: start again from the terminal.'; });
  }
  function ok(s) { return s && s.providerAccountId && !/FAIL/i.test(String(s.status || '')); }
  if (!window.fastlink || typeof window.fastlink.open !== 'function') {
    status.textContent = 'FastLink could not be loaded from ' + ${JSON.stringify(escapeHtml(o.settings.scriptUrl)).replace(/</g, '\\u003c')} + '.';
    return;
  }
  status.textContent = 'Follow the steps in FastLink below.';
  window.fastlink.open({
    fastLinkURL: cfg.fastLinkURL,
    accessToken: cfg.accessToken,
    params: cfg.params,
    onSuccess: function (data) { if (ok(data)) linked.push(data); },
    onError: function (data) { lastError = data || {}; },
    onClose: function (data) {
      var sites = (data && data.sites && data.sites.length ? data.sites : linked).filter(ok);
      if (sites.length) post({ providerAccountId: String(sites[0].providerAccountId), status: String(sites[0].status || ''), providerName: String(sites[0].providerName || '') });
      else post({ error: 'fastlink_closed', error_description: lastError && (lastError.message || lastError.reason) ? String(lastError.message || lastError.reason) : 'FastLink was closed before a bank was linked' });
    },
    onEvent: function () {}
  }, 'container-fastlink');
})();
</script>
</body></html>
`;
}
