import type { Services } from '../context.js';
import { connectionSecretOwner } from '../../store/index.js';
import { PROVIDERS, providerEnvName } from '../../providers/registry.js';
import { credentialSources } from '../providers.js';
import { fail, ok, type Check } from './types.js';

/** A plain request gets this long: doctor must answer quickly even with a provider down. */
export const REACH_TIMEOUT_MS = 5_000;

/**
 * The address each adapter talks to when no BANKSYNC_<ID>_BASE_URL overrides it (loaded lazily,
 * like the adapters). SimpleFIN has none of its own: each connection's Access URL names its Bridge.
 */
async function defaultBase(id: string, credentials: Record<string, string>): Promise<string | undefined> {
  switch (id) {
    case 'gocardless':
      return (await import('../../providers/gocardless/api.js')).GOCARDLESS_BASE_URL;
    case 'enable-banking':
      return (await import('../../providers/enable-banking/api.js')).ENABLE_BANKING_BASE_URL;
    case 'ponto':
      return (await import('../../providers/ponto/api.js')).PONTO_BASE_URL;
    case 'salt-edge':
      return (await import('../../providers/salt-edge/api.js')).SALT_EDGE_BASE_URL;
    case 'yodlee':
      return (await import('../../providers/yodlee/api.js')).YODLEE_SANDBOX_URL;
    case 'plaid': {
      const { PLAID_HOSTS } = await import('../../providers/plaid/api.js');
      return PLAID_HOSTS[(credentials.env ?? '').trim().toLowerCase()] ?? PLAID_HOSTS.sandbox;
    }
    default:
      return undefined;
  }
}

interface Target {
  url: string;
  /** Set by BANKSYNC_<ID>_BASE_URL. */
  overridden: boolean;
}

/**
 * Providers worth checking: remote ones with a credential set (env or stored) or a connection
 * that is not disconnected. For each: its credentials present, and its address answering.
 */
export async function providerChecks(s: Services): Promise<Check[]> {
  const connections = (await s.db.connections.list()).filter((c) => c.status !== 'disconnected');
  const checks: Check[][] = await Promise.all(
    [...PROVIDERS.values()]
      .filter((p) => p.capabilities.remote)
      .map(async (p): Promise<Check[]> => {
        const own = connections.filter((c) => c.providerId === p.id);
        let sources;
        try {
          sources = await credentialSources(s, p.id);
        } catch (err) {
          // A file credential whose path is wrong, or stored credentials the key cannot open.
          return [fail(`credentials:${p.id}`, `${p.displayName}: ${(err as Error).message}`, (err as { hint?: string }).hint ?? `banksync providers setup ${p.id}`)];
        }
        const set = sources.filter((c) => c.source !== 'missing');
        if (set.length === 0 && own.length === 0) return [];
        const out: Check[] = [];
        const missing = sources.filter((c) => c.source === 'missing');
        if (missing.length) {
          out.push(fail(`credentials:${p.id}`, `${p.displayName} needs ${missing.map((c) => c.field.label).join(', ')}`, `banksync providers setup ${p.id}`));
        } else if (sources.length) {
          const from = [...new Set(set.map((c) => (c.source === 'env' ? 'environment' : 'stored')))].join(' and ');
          out.push(ok(`credentials:${p.id}`, `${p.displayName}: ${sources.length === 1 ? 'the credential is' : `all ${sources.length} credentials are`} set (${from})`));
        }
        const credentials = Object.fromEntries(set.map((c) => [c.field.name, c.value ?? '']));
        const targets = await targetsOf(
          s,
          p.id,
          credentials,
          own.map((c) => c.id),
        );
        const results = await Promise.all(targets.map((t) => reach(t)));
        const bad = results.find((r) => !r.ok);
        if (targets.length === 0) return out;
        if (!bad) {
          out.push(ok(`reach:${p.id}`, `${p.displayName}: ${results.map((r) => r.line).join('; ')}`));
        } else {
          const target = targets[results.indexOf(bad)]!;
          const env = providerEnvName(p.id, 'base_url');
          const hint = target.overridden
            ? `${env} points there: start that server, or unset ${env} to use ${p.displayName}'s own address`
            : 'check the network, a proxy or a firewall, then run banksync doctor again; syncs of these accounts fail until it answers';
          out.push(fail(`reach:${p.id}`, `${p.displayName}: ${bad.line}`, hint));
        }
        return out;
      }),
  );
  return checks.flat();
}

async function targetsOf(s: Services, id: string, credentials: Record<string, string>, connectionIds: number[]): Promise<Target[]> {
  const override = s.env[providerEnvName(id, 'base_url')];
  if (override) return [{ url: override, overridden: true }];
  const base = await defaultBase(id, credentials);
  if (base) return [{ url: base, overridden: false }];
  // SimpleFIN: the Bridge of each connection, from its Access URL, without the credentials in it.
  const origins = new Set<string>();
  for (const cid of connectionIds) {
    try {
      const access = (await s.db.secrets.get(connectionSecretOwner(cid)))?.accessUrl;
      if (typeof access === 'string') origins.add(new URL(access).origin);
    } catch {
      // Unreadable sessions are the secrets check's to report.
    }
  }
  return [...origins].map((url) => ({ url, overridden: false }));
}

/**
 * Reachable = a TCP connection, TLS where the address says https, and any HTTP answer, to one
 * GET without credentials. Such a request touches no account, no token and no daily quota
 * (SimpleFIN's and GoCardless's limits count authorised calls only).
 */
async function reach(t: Target): Promise<{ ok: boolean; line: string }> {
  let url: URL;
  try {
    url = new URL(t.url);
  } catch {
    return { ok: false, line: `"${t.url}" is not an address` };
  }
  const { Agent, request } = await import('undici');
  const dispatcher = new Agent({ connect: { timeout: REACH_TIMEOUT_MS }, headersTimeout: REACH_TIMEOUT_MS, bodyTimeout: REACH_TIMEOUT_MS });
  try {
    const res = await request(url, { method: 'GET', headers: { 'user-agent': 'banksync doctor' }, dispatcher, signal: AbortSignal.timeout(REACH_TIMEOUT_MS) });
    await res.body.dump();
    return { ok: true, line: `${url.host} answered (HTTP ${res.statusCode})` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
    // A TLS alert is the server answering: it wants a client certificate (Ponto's mTLS) we do not send here.
    if (/ALERT/.test(String(code)) || /alert/i.test((err as Error).message)) return { ok: true, line: `${url.host} answered (TLS: ${code})` };
    return { ok: false, line: `cannot reach ${url.host} (${code})` };
  } finally {
    await dispatcher.destroy().catch(() => undefined);
  }
}
