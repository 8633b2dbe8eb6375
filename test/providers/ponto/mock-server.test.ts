import { failure } from '../../helpers/failure.js';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPontoProvider } from '../../../src/providers/ponto/index.js';
import type { ConsentGrant, Institution, Provider, ProviderContext, SessionHandle, TransactionPage } from '../../../src/providers/types.js';
import { startPontoMock, type PontoMockHandle } from '../../mocks/ponto/server.js';

// Drives the adapter over loopback against the Ponto mock (mTLS API + browser consent pages).
const REDIRECT = 'http://127.0.0.1:8765/callback';
const CHECKING = '345088e3-8daf-4385-ba80-a131223e5af6';
const DAY = 86_400_000;

let clock = new Date('2026-06-15T10:00:00Z');
let mock: PontoMockHandle;
let dispatcher: Agent;
let provider: Provider;
let institution: Institution;
let session: SessionHandle & { saves: number };

function context(extra: Partial<ProviderContext> = {}): ProviderContext {
  return {
    now: () => clock,
    env: { BANKSYNC_PONTO_AUTHORIZATION_URL: mock.authorizationUrl },
    dispatcher,
    baseUrl: mock.url,
    credentials: { client_id: 'ponto-test-client', client_secret: 'ponto-test-secret', certificate: mock.clientCertPem, certificate_key: mock.clientKeyPem },
    ...extra,
  };
}

/** The user in the browser: open the page, press #approve (posting the form's hidden inputs), return the 302 target. */
async function approve(pageUrl: string): Promise<URL> {
  const page = await request(pageUrl);
  expect(page.statusCode).toBe(200);
  const html = await page.body.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  expect(action).toBeDefined();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.append(m[1]!, m[2]!);
  expect(html).toMatch(/<button type="submit" name="decision" value="approve" id="approve">/);
  form.append('decision', 'approve');
  const res = await request(new URL(action!.replace(/&amp;/g, '&'), pageUrl), { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  await res.body.text();
  expect(res.statusCode).toBe(302);
  return new URL(String(res.headers.location));
}

async function consent(existing?: SessionHandle): Promise<ConsentGrant> {
  const start = await provider.beginConsent({ institution, redirectUrl: REDIRECT, state: 'st-1', existing });
  const back = await approve(start.url!);
  expect(back.origin + back.pathname).toBe(REDIRECT);
  expect(back.searchParams.get('state')).toBe('st-1');
  return provider.completeConsent(start, Object.fromEntries(back.searchParams));
}

async function fetchAll(from: string): Promise<TransactionPage[]> {
  const out: TransactionPage[] = [];
  for await (const p of provider.fetchTransactions(session, { account: { externalId: CHECKING, institutionId: institution.id }, from, to: clock.toISOString().slice(0, 10) })) out.push(p);
  return out;
}

beforeAll(async () => {
  mock = await startPontoMock({ now: () => clock, allowRedirect: (uri) => uri.startsWith(REDIRECT) });
  dispatcher = new Agent({ connect: { ca: mock.caPem, cert: mock.clientCertPem, key: mock.clientKeyPem } });
  provider = createPontoProvider(context());
});

afterAll(async () => {
  await dispatcher?.close();
  await mock?.close();
});

describe('Ponto adapter against the mock server', () => {
  it('verifies the app credentials, naming the secret or the certificate when they are wrong', async () => {
    await expect(provider.verifyCredentials!()).resolves.toBeUndefined();
    const badSecret = createPontoProvider(context({ credentials: { ...context().credentials, client_secret: 'nope' } }));
    expect((await failure(badSecret.verifyCredentials!())).message).toMatch(/client id or client secret/);
    const wrongCert = await import('node:fs').then((fs) => ({
      cert: fs.readFileSync(`${mock.certsDir}wrong-client.pem`, 'utf8'),
      key: fs.readFileSync(`${mock.certsDir}wrong-client-key.pem`, 'utf8'),
    }));
    const foreign = new Agent({ connect: { ca: mock.caPem, ...wrongCert } });
    const badCert = createPontoProvider(context({ dispatcher: foreign, credentials: { ...context().credentials, certificate: wrongCert.cert, certificate_key: wrongCert.key } }));
    const e = await failure(badCert.verifyCredentials!());
    await foreign.close();
    expect(e.code).toBe('CREDENTIALS_INVALID');
    expect(e.message).toMatch(/client certificate/);
  });

  it('lists institutions by country with beta flags', async () => {
    const be = await provider.listInstitutions('BE');
    expect(be.every((i) => i.country === 'BE')).toBe(true);
    institution = be.find((i) => i.name === 'Sandbox Bank BE')!;
    expect(institution).toBeDefined();
    expect(be.find((i) => i.name === 'Argenta')?.beta).toBe(true);
    expect((await provider.listInstitutions('NL')).find((i) => i.name === 'Sandbox Bank NL')?.beta).toBe(true);
    expect(await provider.getInstitution(institution.id)).toMatchObject({ name: 'Sandbox Bank BE' });
  });

  it('connects: consent page → code → tokens → accounts', async () => {
    const grant = await consent();
    expect(Date.parse(grant.expiresAt!)).toBe(clock.getTime() + 180 * DAY);
    session = { data: grant.session, saves: 0, save: async () => void session.saves++ };
    const accounts = await provider.listAccounts(session);
    expect(accounts.map((a) => a.iban)).toEqual(['BE56148505078588', 'BE81154417716824', 'NL35SNDB3222007665']);
    expect(accounts[0]).toMatchObject({ externalId: CHECKING, institutionId: institution.id, kind: 'checking', currency: 'EUR' });
    expect(accounts[1]!.kind).toBe('savings');
  });

  it('fetches every page after synchronizing: 200 lines with distinct ids, 2 pending, a balance', async () => {
    const pages = await fetchAll('2025-01-01');
    expect(pages).toHaveLength(2);
    const booked = pages.flatMap((p) => p.booked);
    expect(booked).toHaveLength(200);
    expect(new Set(booked.map((t) => t.externalId)).size).toBe(200);
    expect(booked.filter((t) => t.memo === 'MOCK COFFEE BAR BRUSSEL')).toHaveLength(2);
    expect(booked.find((t) => t.payee === 'Mock Employer NV')).toMatchObject({ amountMinor: 285000, type: 'credit' });
    expect(booked.filter((t) => t.amountMinor < 0).every((t) => t.type === 'debit')).toBe(true);
    expect(pages[0]!.pending).toHaveLength(2);
    expect(pages[0]!.balance?.date).toBe('2026-06-15');
    const syncs = mock.requests.filter((r) => r.path === '/ponto-connect/synchronizations' && r.method === 'POST');
    expect(syncs).toHaveLength(2);
  });

  it('reads the cached copy inside the cooldown, and sees new bank lines after it', async () => {
    const recent = await fetchAll('2026-06-01');
    expect(recent).toHaveLength(1);
    expect(recent[0]!.booked.every((t) => t.bookingDate >= '2026-06-01')).toBe(true);
    mock.control.addTransactions(CHECKING, 2);
    clock = new Date(clock.getTime() + 6 * 60_000);
    const after = await fetchAll('2026-06-14');
    expect(after[0]!.booked.filter((t) => t.bookingDate === '2026-06-15')).toHaveLength(2);
  });

  it('rotates the refresh token, saving it before use; the old one is then dead', async () => {
    const old = String(session.data.refreshToken);
    clock = new Date(clock.getTime() + 31 * 60_000);
    await provider.listAccounts(session);
    expect(session.saves).toBe(1);
    expect(session.data.refreshToken).not.toBe(old);
    const stale = { data: { refreshToken: old }, save: async () => undefined };
    expect((await failure(provider.listAccounts(stale))).code).toBe('CONSENT_EXPIRED');
  });

  it('reports expired bank authorizations, then renews them all with one full consent', async () => {
    mock.control.expireAuthorizations();
    clock = new Date(clock.getTime() + 6 * 60_000);
    expect((await failure(fetchAll('2026-06-01'))).code).toBe('CONSENT_EXPIRED');
    const grant = await consent(session);
    // Several lapsed accounts: a reauthorization request would renew only one of them.
    expect(mock.requests.some((r) => r.path.endsWith('/reauthorization-requests'))).toBe(false);
    expect(Date.parse(grant.expiresAt!)).toBeGreaterThan(clock.getTime());
    const accounts = await provider.listAccounts({ data: grant.session, save: async () => undefined });
    expect(accounts).toHaveLength(3);
    clock = new Date(clock.getTime() + 6 * 60_000);
    session = { data: grant.session, saves: 0, save: async () => void session.saves++ };
    expect((await fetchAll('2026-06-10')).flatMap((p) => p.booked).length).toBeGreaterThan(0);
  });
});
