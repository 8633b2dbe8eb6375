import { sqlitePort } from '../../src/store/index.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Prompts, Services } from '../../src/core/context.js';
import type { Provider, ProviderAccount, ProviderContext, ProviderMeta, SessionHandle } from '../../src/providers/types.js';
import { Store } from '../../src/store/index.js';

/**
 * Interface v2 at core level with a test-only provider registered through the registry: a bank
 * chosen by the provider (one consent, several institutions), consent by pasted setup token,
 * provider search, provider state, and revocation on disconnect and on renewal.
 */
const fake = vi.hoisted(() => {
  const calls = {
    begin: [] as { institution?: unknown; token?: string; existing?: Record<string, unknown> }[],
    revoked: [] as Record<string, unknown>[],
    searched: [] as [string, string | undefined][],
  };
  const world = { accounts: [] as ProviderAccount[], revokeFails: false, claims: 0 };
  return { calls, world };
});

vi.mock('../../src/providers/registry.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/providers/registry.js')>();
  const meta: ProviderMeta = {
    id: 'bridge',
    displayName: 'Test Bridge',
    capabilities: {
      regions: ['US'],
      remote: true,
      consent: 'token',
      institutionChoice: 'provider',
      feed: 'window',
      betaInstitutions: false,
      credentialFields: [],
      pending: false,
      scaEveryFetch: false,
      stableTransactionIds: true,
      maxConcurrentRequests: 2,
    },
  };
  const create = (ctx: ProviderContext): Provider => ({
    ...meta,
    listInstitutions: async () => [],
    getInstitution: async () => undefined,
    searchInstitutions: async (query, country) => {
      fake.calls.searched.push([query, country]);
      return [{ id: 'ins_1', providerId: 'bridge', name: `First ${query}`, country: 'US', beta: false, scaEveryFetch: false, stableTransactionIds: true }];
    },
    async beginConsent(r) {
      fake.calls.begin.push({ institution: r.institution, token: r.token, existing: r.existing?.data });
      return { state: { token: r.token } };
    },
    async completeConsent(start) {
      // Claiming the token hands out a credential-bearing address, like SimpleFIN's Access URL.
      fake.world.claims++;
      await ctx.state?.set('claims', fake.world.claims);
      return { session: { accessUrl: `https://user:pass-${String(start.state.token)}@bridge.test/${fake.world.claims}` }, supersedesExisting: true };
    },
    listAccounts: async () => fake.world.accounts,
    async *fetchTransactions() {
      yield* [];
    },
    async revoke(h: SessionHandle) {
      if (fake.world.revokeFails) throw new Error('bridge unreachable');
      fake.calls.revoked.push({ ...h.data });
    },
  });
  const entries = new Map(real.PROVIDERS);
  entries.set('bridge', { ...meta, load: async () => create });
  return { ...real, PROVIDERS: entries, providerIds: () => [...entries.keys()] };
});

const { connect } = await import('../../src/core/connect.js');
const { disconnect, fetchNewAccounts, updateCredentials } = await import('../../src/core/maintain-connection.js');
const { searchInstitutions } = await import('../../src/core/institutions.js');
const { getProvider } = await import('../../src/core/providers.js');
const { createPrompts } = await import('../../src/cli/prompts.js');

const TOKEN = 'aHR0cHM6Ly9icmlkZ2UudGVzdC9jbGFpbS9zZWNyZXQtc2V0dXA=';
const account = (externalId: string, institutionId: string, institutionName: string): ProviderAccount => ({
  externalId,
  institutionId,
  institutionName,
  name: `Account ${externalId}`,
  currency: 'USD',
  kind: 'checking',
});

function services(prompts: Prompts = createPrompts(false)) {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-v2-'));
  const dbPath = join(dir, 'b.db');
  const store = Store.open(dbPath, { keyFile: join(dir, 'k') });
  const warnings: string[] = [];
  const s: Services = {
    db: sqlitePort(store),
    env: {},
    prompts,
    clock: () => new Date('2026-11-20T10:00:00Z'),
    notify: { info: () => undefined, warn: (m) => warnings.push(m), always: () => undefined, progress: () => ({ update: () => undefined, stop: () => undefined }) },
    openBrowser: async () => false,
  };
  return { s, store, warnings, dbPath };
}

beforeEach(() => {
  fake.calls.begin.length = 0;
  fake.calls.revoked.length = 0;
  fake.calls.searched.length = 0;
  fake.world.accounts = [account('chk', 'ins_1', 'First Bank'), account('card', 'ins_2', 'Second Card Co'), account('sav', 'ins_1', 'First Bank')];
  fake.world.revokeFails = false;
});

describe('a provider that chooses the bank, with consent by setup token', () => {
  it('connects without --institution; the token reaches beginConsent; each account records its own institution', async () => {
    const { s, store, dbPath } = services();
    const r = await connect(s, { providerId: 'bridge', setupToken: TOKEN, accounts: 'all', yes: false });
    expect(fake.calls.begin).toEqual([{ institution: undefined, token: TOKEN, existing: undefined }]);
    // Several institutions: the connection is filed under the provider's name.
    expect(r.institution.name).toBe('Test Bridge');
    expect(r.accounts.map((a) => a.institution)).toEqual([
      { id: 'ins_1', name: 'First Bank' },
      { id: 'ins_2', name: 'Second Card Co' },
      { id: 'ins_1', name: 'First Bank' },
    ]);
    expect(store.accounts.byConnection(1).map((a) => a.institutionId)).toEqual(['ins_1', 'ins_2', 'ins_1']);
    // Neither the token nor the credential it was claimed for lies in the database in plain text.
    store.close();
    const raw = readFileSync(dbPath).toString('latin1');
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain('pass-');
  });

  it('files a connection under the one institution all its kept accounts share; the user still chooses', async () => {
    const { s } = services();
    const r = await connect(s, { providerId: 'bridge', setupToken: TOKEN, accounts: ['chk', 'sav'], yes: false });
    expect(r.institution).toEqual({ id: 'ins_1', name: 'First Bank', beta: false });
    expect(r.accounts.map((a) => a.name)).toEqual(['Account chk', 'Account sav']);
  });

  it('refuses --institution and a search text: the bank is picked on the provider page', async () => {
    const { s } = services();
    await expect(connect(s, { providerId: 'bridge', institutionId: 'ins_1', setupToken: TOKEN, accounts: 'all', yes: false })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(/Test Bridge lets you choose your bank on its own page: drop --institution/),
    });
    await expect(connect(s, { providerId: 'bridge', query: 'first', setupToken: TOKEN, accounts: 'all', yes: false })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(fake.calls.begin).toEqual([]);
  });

  it('without a terminal and without --setup-token, fails naming the flag; at a terminal, asks masked', async () => {
    const { s } = services();
    await expect(connect(s, { providerId: 'bridge', accounts: 'all', yes: false })).rejects.toMatchObject({ code: 'NO_TTY', hint: 'pass --setup-token' });
    const asked: { message: string; flag: string; secret?: boolean }[] = [];
    const prompts: Prompts = {
      interactive: true,
      confirm: async () => true,
      select: async (_m, choices) => choices[0]!.value,
      checkbox: async (_m, choices) => choices.map((c) => c.value),
      input: async (message, flag, o) => {
        asked.push({ message, flag, secret: o?.secret });
        return ` ${TOKEN}\n`;
      },
    };
    const { s: tty } = services(prompts);
    await connect(tty, { providerId: 'bridge', yes: false });
    expect(asked).toEqual([{ message: 'Setup token from Test Bridge', flag: '--setup-token', secret: true }]);
    expect(fake.calls.begin.at(-1)?.token).toBe(TOKEN);
  });

  it('refuses --setup-token for a provider that takes none', async () => {
    const { s } = services();
    await expect(connect(s, { providerId: 'sandbox', institutionId: 'sandbox-bank', setupToken: TOKEN, accounts: 'all', yes: true })).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: '--setup-token is not used by Sandbox (built-in, offline)',
    });
  });

  it('update-credentials takes a new token and revokes the superseded consent; disconnect revokes the current one', async () => {
    const { s, store } = services();
    await connect(s, { providerId: 'bridge', setupToken: TOKEN, accounts: 'all', yes: false });
    const first = store.secrets.get('connection:1');
    const renewed = await updateCredentials(s, 1, { yes: false, setupToken: 'second-token' });
    expect(renewed.accounts.map((a) => a.status)).toEqual(['kept', 'kept', 'kept']);
    expect(fake.calls.begin.at(-1)).toEqual({ institution: undefined, token: 'second-token', existing: first });
    expect(fake.calls.revoked).toEqual([first]);
    const second = store.secrets.get('connection:1');
    expect(second).not.toEqual(first);

    const d = await disconnect(s, 1, { history: 'keep' });
    expect(d.revoked).toBe('revoked');
    expect(fake.calls.revoked).toEqual([first, second]);
    expect(store.secrets.get('connection:1')).toBeUndefined();
  });

  it("stores each account's provider data (meta) at connect, and keeps it current at fetch-accounts and update-credentials", async () => {
    const { s, store } = services();
    fake.world.accounts = [{ ...account('chk', 'ins_1', 'First Bank'), meta: { container: 'bank' } }, account('card', 'ins_2', 'Second Card Co')];
    await connect(s, { providerId: 'bridge', setupToken: TOKEN, accounts: 'all', yes: false });
    expect(store.accounts.byConnection(1).map((a) => a.providerMeta)).toEqual([{ container: 'bank' }, null]);
    fake.world.accounts = [
      { ...account('chk', 'ins_1', 'First Bank'), meta: { container: 'bank', extra: '1' } },
      { ...account('card', 'ins_2', 'Second Card Co'), meta: { container: 'creditCard' } },
      { ...account('loan', 'ins_2', 'Second Card Co'), meta: { container: 'loan' } },
    ];
    await fetchNewAccounts(s, 1, 'all');
    expect(store.accounts.byConnection(1).map((a) => a.providerMeta)).toEqual([{ container: 'bank', extra: '1' }, { container: 'creditCard' }, { container: 'loan' }]);
    fake.world.accounts = [
      { ...account('chk', 'ins_1', 'First Bank'), meta: { container: 'bank' } },
      account('card', 'ins_2', 'Second Card Co'),
      { ...account('loan', 'ins_2', 'Second Card Co'), meta: { container: 'loan' } },
    ];
    await updateCredentials(s, 1, { yes: false, setupToken: 'second-token' });
    expect(store.accounts.byConnection(1).map((a) => a.providerMeta)).toEqual([{ container: 'bank' }, null, { container: 'loan' }]);
  });

  it('a revocation that fails is a warning, and the credentials are deleted anyway', async () => {
    const { s, store, warnings } = services();
    await connect(s, { providerId: 'bridge', setupToken: TOKEN, accounts: 'all', yes: false });
    fake.world.revokeFails = true;
    const d = await disconnect(s, 1, { history: 'delete', yes: true });
    expect(d.revoked).toBe('failed');
    expect(warnings).toEqual([expect.stringMatching(/^Test Bridge did not revoke the consent of c1: .*bridge unreachable; revoke it in your Test Bridge dashboard/)]);
    expect(store.secrets.get('connection:1')).toBeUndefined();
    expect(store.connections.get(1)).toBeUndefined();
  });
});

describe('provider search and provider state', () => {
  it("institutions use the provider's own search when it has one, and need a query for it", async () => {
    const { s } = services();
    const rows = await searchInstitutions(s, { query: 'chase', country: 'us', providerId: 'bridge' });
    expect(fake.calls.searched).toEqual([['chase', 'US']]);
    expect(rows.map((r) => [r.id, r.name, r.providerName])).toEqual([['ins_1', 'First chase', 'Test Bridge']]);
    await expect(searchInstitutions(s, { providerId: 'bridge' })).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it("keeps a provider's state sealed in the secret store across instances", async () => {
    const { s, store, dbPath } = services();
    const p = await getProvider(s, 'bridge');
    await p.completeConsent({ state: { token: 'x' } }, {});
    const claims = fake.world.claims;
    expect(store.secrets.get('provider-state:bridge')).toEqual({ claims });
    const again = await getProvider(s, 'bridge');
    expect(again).not.toBe(p);
    const { providerState } = await import('../../src/core/providers.js');
    const state = providerState(s, 'bridge');
    expect(await state.get('claims')).toBe(claims);
    await state.set('customer', 'cust-42');
    await state.set('claims', undefined);
    expect(store.secrets.get('provider-state:bridge')).toEqual({ customer: 'cust-42' });
    store.close();
    expect(readFileSync(dbPath).toString('latin1')).not.toContain('cust-42');
  });
});
