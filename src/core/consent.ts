import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsentGrant, ConsentStart, Institution, Provider, SessionHandle } from '../providers/types.js';
import { listenForCallback, parsePasted, DEFAULT_REDIRECT_PORT } from './consent-listener.js';
import type { Services } from './context.js';
import { badInput, BanksyncError } from '../domain/errors.js';
import { registerSecret } from '../secrets/index.js';

export interface ConsentOptions {
  /** Consent confirmed on the command line (confirm-style providers). */
  yes: boolean;
  existing?: SessionHandle;
  /** Loopback port for the redirect; 0 = any free port. */
  redirectPort?: number;
  /** false: never open a browser; at a terminal, ask for the pasted address instead. */
  browser?: boolean;
  /** How long to wait for the consent page to come back. */
  timeoutMs?: number;
  /** --setup-token, for providers whose consent is a pasted token (consent 'token'). */
  setupToken?: string;
}

const DEFAULT_TIMEOUT_MS = 15 * 60_000;
const POLL_MS = 3_000;

/** A flag the provider would ignore is refused first: it is the first thing the person must fix. */
export function refuseUnusedSetupToken(provider: Provider, setupToken: string | undefined): void {
  if (setupToken !== undefined && provider.capabilities.consent !== 'token') {
    throw badInput(`--setup-token is not used by ${provider.displayName}`, 'drop --setup-token');
  }
}

/**
 * Runs a provider's consent step: a question in the terminal, a pasted setup token, or the
 * browser round trip. `institution` is absent when the provider chooses the bank itself.
 */
export async function obtainConsent(s: Services, provider: Provider, institution: Institution | undefined, opts: ConsentOptions): Promise<ConsentGrant> {
  const state = globalThis.crypto.randomUUID();
  refuseUnusedSetupToken(provider, opts.setupToken);
  if (provider.capabilities.consent === 'token') {
    // The token is a credential (SimpleFIN's claims an Access URL): redacted from any output, never stored itself.
    const token = await setupToken(s, provider, opts.setupToken);
    const start = await provider.beginConsent({ institution, state, existing: opts.existing, token });
    return provider.completeConsent(start, {});
  }
  if (provider.capabilities.consent === 'confirm') {
    const start = await provider.beginConsent({ institution, state, existing: opts.existing });
    if (start.confirmPrompt && !opts.yes) {
      const ok = await s.prompts.confirm(start.confirmPrompt, '--yes');
      if (!ok) throw new BanksyncError('BAD_INPUT', 'consent was not given; nothing was changed');
    }
    return provider.completeConsent(start, {});
  }
  let stateless = false;
  const listener = await listenForCallback(opts.redirectPort ?? DEFAULT_REDIRECT_PORT, (p) => (p.state ?? p.ref) === state || (stateless && p.state === undefined && p.ref === undefined));
  const abort = new AbortController();
  try {
    const start = await provider.beginConsent({ institution, redirectUrl: listener.redirectUrl, state, existing: opts.existing });
    if (!start.url && start.page === undefined) throw new BanksyncError('INTERNAL', `${provider.id} gave no consent page`);
    stateless = start.returnsWithoutState === true;
    // A widget's page of our own (the provider's token injected in it) is served here: its local address is what the person opens.
    if (start.page !== undefined) listener.setPage(start.page);
    const address = start.page !== undefined ? listener.pageUrl : start.url!;
    s.notify.always(institution ? `Give consent at ${institution.name} (via ${provider.displayName}) on this page:` : `Choose your bank and give consent at ${provider.displayName} on this page:`);
    s.notify.always(address);
    const browser = opts.browser !== false && s.prompts.interactive;
    if (browser && !(await s.openBrowser(address))) s.notify.always('(no browser could be opened: open the address above yourself)');
    const waits: Promise<Record<string, string> | ConsentGrant>[] = [listener.callback, timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, abort.signal)];
    // A widget's result is posted to the listener by our page: there is no address to paste.
    if (opts.browser === false && s.prompts.interactive && start.page === undefined) {
      s.notify.always(`If your browser cannot reach ${listener.redirectUrl}, paste the address it ends on below.`);
      waits.push(
        s.prompts
          .input('Address (or code) you were sent to', '--redirect-port', { signal: abort.signal })
          .then(parsePasted)
          .then((p) => checkPasted(p, state)),
      );
    }
    if (provider.pollConsent) {
      // The provider itself says when the page is finished (GoCardless, Plaid Hosted Link): no redirect needed.
      s.notify.info(`waiting for you to finish at ${provider.displayName} (up to ${Math.round((opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 60_000)} minutes)…`);
      waits.push(poll(provider, start, abort.signal));
    }
    const answer = await Promise.race(waits);
    if ('session' in answer && typeof answer.session === 'object') return answer as ConsentGrant;
    return await finish(provider, start, answer as Record<string, string>);
  } finally {
    abort.abort();
    listener.close();
  }
}

async function finish(provider: Provider, start: ConsentStart, params: Record<string, string>): Promise<ConsentGrant> {
  if (params.error) {
    const why = params.error_description ? `: ${params.error_description}` : ` (${params.error})`;
    throw new BanksyncError('BAD_INPUT', `consent was not given at ${provider.displayName}${why}; nothing was changed`);
  }
  return provider.completeConsent(start, params);
}

function checkPasted(p: Record<string, string>, state: string): Record<string, string> {
  const got = p.state ?? p.ref;
  if (got !== undefined && got !== state) throw new BanksyncError('BAD_INPUT', 'the pasted address belongs to another consent request; start again');
  return p;
}

/** GoCardless-style: the requisition itself says when the user has finished. */
async function poll(provider: Provider, start: ConsentStart, signal: AbortSignal): Promise<ConsentGrant> {
  for (;;) {
    await sleep(POLL_MS, undefined, { signal });
    const grant = await provider.pollConsent!(start);
    if (grant) return grant;
  }
}

async function timeout(ms: number, signal: AbortSignal): Promise<never> {
  await sleep(ms, undefined, { signal });
  throw new BanksyncError('BAD_INPUT', `consent was not completed within ${Math.round(ms / 60_000)} minutes; nothing was changed`, {
    hint: 'run the command again and finish the consent page',
  });
}

/** --setup-token, or a masked prompt at a terminal; without either, the NO_TTY error names the flag. */
async function setupToken(s: Services, provider: Provider, given: string | undefined): Promise<string> {
  const token = (given ?? (await s.prompts.input(`Setup token from ${provider.displayName}`, '--setup-token', { secret: true }))).trim();
  if (!token) throw badInput('the setup token is empty; nothing was changed', 'pass --setup-token TOKEN');
  registerSecret(token);
  return token;
}
