import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { BanksyncError, renewOptions } from '../../domain/errors.js';
import type { SessionHandle } from '../types.js';
import { parse, type PontoApi } from './api.js';
import { describe, mapPontoError, RENEW_HINT } from './errors.js';
import { Synchronization } from './schema.js';

/**
 * Ponto requires "the IP address of the customer" on every synchronization. banksync runs on the
 * customer's own machine, so it is this machine's address (BANKSYNC_PONTO_CUSTOMER_IP overrides,
 * e.g. with the public address); loopback only when the machine has no other.
 */
export function customerIpAddress(env: NodeJS.ProcessEnv): string {
  const given = env.BANKSYNC_PONTO_CUSTOMER_IP?.trim();
  if (given) {
    if (!isIP(given))
      throw new BanksyncError('BAD_INPUT', `BANKSYNC_PONTO_CUSTOMER_IP is not an IP address: ${given}`, { hint: 'set it to an IPv4 or IPv6 address (e.g. your public one), or unset it' });
    return given;
  }
  for (const addresses of Object.values(networkInterfaces())) {
    const own = addresses?.find((a) => !a.internal && a.family === 'IPv4');
    if (own) return own.address;
  }
  return '127.0.0.1';
}

export type SyncSubtype = 'accountDetails' | 'accountTransactions' | 'accountTransactionsWithUnsettled';
/** synced: Ponto asked the bank just now; skipped: Ponto's cached data is recent (cooldown); unfinished: still running at the cap. */
export type SyncOutcome = 'synced' | 'skipped' | 'unfinished';

const FIRST_POLL_MS = 200;
const MAX_POLL_MS = 2_000;
/** Real time, not the (pinnable) clock: how long one account may wait for its bank. */
const POLL_CAP_MS = 60_000;

/**
 * Ponto serves its own copy of the bank's data: ask it to refresh one account from the bank, then
 * wait for the outcome. A refresh refused as too recent is not an error: the copy is fresh enough.
 */
export async function synchronize(api: PontoApi, h: SessionHandle, accountId: string, subtype: SyncSubtype, now: () => Date, customerIp: string): Promise<SyncOutcome> {
  const path = 'ponto-connect/synchronizations';
  const res = await api.callRaw(h, 'POST', path, {
    json: { data: { type: 'synchronization', attributes: { resourceType: 'account', resourceId: accountId, subtype, customerIpAddress: customerIp } } },
    accept: [400],
  });
  if (res.status === 400) {
    if (describe(res.body).code === 'accountRecentlySynchronized') return 'skipped';
    // Pending lines refresh only with this subtype; a bank (or API) that refuses it gets the settled lines alone.
    if (subtype === 'accountTransactionsWithUnsettled' && refusesSubtype(res.body)) return synchronize(api, h, accountId, 'accountTransactions', now, customerIp);
    throw mapPontoError({ ...res, method: 'POST', path: `/${path}` }, now());
  }
  let sync = parse(Synchronization, res, 'synchronizations').data;
  const started = Date.now();
  let wait = FIRST_POLL_MS;
  while (sync.attributes.status !== 'success' && sync.attributes.status !== 'error') {
    if (Date.now() - started + wait > POLL_CAP_MS) return 'unfinished';
    await sleep(wait);
    wait = Math.min(wait * 2, MAX_POLL_MS);
    sync = (await api.call(Synchronization, h, 'GET', `${path}/${encodeURIComponent(sync.id)}`)).data;
  }
  if (sync.attributes.status === 'error') throw syncFailure(sync);
  return 'synced';
}

/**
 * A 400 that names the subtype (validationError with meta.attribute "subtype", or a code about
 * unsettled transactions). How Ponto refuses accountTransactionsWithUnsettled for a bank without
 * pending data is not documented: unverified.
 */
function refusesSubtype(body: unknown): boolean {
  const first = (body as { errors?: { code?: unknown; meta?: { attribute?: unknown } }[] } | undefined)?.errors?.[0];
  if (!first || typeof first !== 'object') return false;
  const code = typeof first.code === 'string' ? first.code : '';
  return (code === 'validationError' && first.meta?.attribute === 'subtype') || /unsettled|subtype/i.test(code);
}

function syncFailure(sync: Synchronization): BanksyncError {
  const errors = sync.attributes.errors ?? [];
  if (errors.some((e) => e.code === 'authorizationExpired')) {
    return new BanksyncError('CONSENT_EXPIRED', 'Ponto: the bank authorization of this account has expired (synchronization failed)', renewOptions(RENEW_HINT));
  }
  const first = errors[0];
  const why = first ? `${first.code ?? 'error'}${first.detail ? ` — ${first.detail}` : ''}` : 'no reason given';
  // Bank-side failures (bank down, bank rate limit) pass; the next sync asks again.
  return new BanksyncError('PROVIDER_UNAVAILABLE', `Ponto: the bank synchronization failed (${why})`.slice(0, 300));
}
