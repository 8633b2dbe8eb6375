import { request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BanksyncError } from '../../../src/domain/errors.js';
import { createEnableBankingProvider } from '../../../src/providers/enable-banking/index.js';
import type { Provider, SessionHandle, TransactionPage } from '../../../src/providers/types.js';
import { startEnableBankingMock, type EnableBankingMock } from '../../mocks/enable-banking/server.js';

const NOW = new Date('2025-06-15T10:00:00Z');
const REDIRECT = 'http://127.0.0.1:8765/callback';

let mock: EnableBankingMock;
let provider: Provider;
beforeEach(async () => {
  mock = await startEnableBankingMock({ now: () => NOW, pageSize: 20 });
  provider = createEnableBankingProvider({
    now: () => NOW,
    env: {},
    baseUrl: mock.url,
    credentials: { application_id: mock.applicationId, private_key: mock.privateKeyPem },
  });
});
afterEach(async () => {
  await mock.close();
});

/** The browser's part: open the consent page, press Approve, read where the bank redirects. */
async function approve(url: string): Promise<Record<string, string>> {
  const page = await request(url);
  const html = await page.body.text();
  expect(page.statusCode).toBe(200);
  const action = /<form[^>]*action="([^"]+)"/.exec(html)![1]!;
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) form.set(m[1]!, m[2]!);
  const button = /<button[^>]*name="([^"]+)" value="approve"/.exec(html)!;
  form.set(button[1]!, 'approve');
  const res = await request(new URL(action, url), { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  await res.body.text();
  expect(res.statusCode).toBe(302);
  const location = new URL(String(res.headers.location));
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
  return Object.fromEntries(location.searchParams);
}

async function connect(state: string): Promise<SessionHandle> {
  const institution = (await provider.listInstitutions('FI')).find((i) => i.id === 'FI:Mock ASPSP')!;
  expect(institution).toMatchObject({ name: 'Mock ASPSP', country: 'FI', consentDays: 180, beta: false });
  const start = await provider.beginConsent({ institution, redirectUrl: REDIRECT, state });
  const callback = await approve(start.url!);
  expect(callback.state).toBe(state);
  const grant = await provider.completeConsent(start, callback);
  expect(grant.expiresAt).toBe('2025-12-12T09:59:00.000Z');
  return { data: grant.session, save: async () => {} };
}

async function fetchAll(h: SessionHandle, uid: string): Promise<TransactionPage[]> {
  const pages: TransactionPage[] = [];
  for await (const p of provider.fetchTransactions(h, { account: { externalId: uid, institutionId: 'FI:Mock ASPSP' }, from: '2025-03-17', to: '2025-06-15' })) pages.push(p);
  return pages;
}

describe('against the Enable Banking mock over loopback', () => {
  it('connects, lists accounts and fetches every page', async () => {
    await provider.verifyCredentials!();
    const h = await connect('state-1');
    const accounts = await provider.listAccounts(h);
    expect(accounts.map((a) => [a.institutionId, a.kind, a.iban !== undefined, a.number !== undefined])).toEqual([
      ['FI:Mock ASPSP', 'checking', true, false],
      ['FI:Mock ASPSP', 'savings', true, false],
      ['FI:Mock ASPSP', 'credit_card', false, true],
    ]);
    expect(accounts.every((a) => a.matchKey && a.currency === 'EUR')).toBe(true);

    const pages = await fetchAll(h, accounts[0]!.externalId);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages[1]!.booked).toEqual([]); // the mock's empty page that still carries a key
    expect(pages[0]!.balance).toBeDefined();
    const booked = pages.flatMap((p) => p.booked);
    expect(booked.length).toBeGreaterThan(20);
    expect(booked.some((t) => t.amountMinor > 0) && booked.some((t) => t.amountMinor < 0)).toBe(true);
    expect(booked.every((t) => t.bookingDate >= '2025-03-17' && t.bookingDate <= '2025-06-15')).toBe(true);
    expect(booked.every((t) => t.externalId === undefined || /^\d+$/.test(t.externalId))).toBe(true);
    // entry_reference ids are unique within the account.
    const ids = booked.map((t) => t.externalId).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);

    // Unattended sync: no PSU headers, and every API call signed.
    const api = mock.requests.filter((r) => r.path !== '/welcome');
    expect(api.every((r) => /^Bearer /.test(String(r.headers.authorization)))).toBe(true);
    expect(api.some((r) => Object.keys(r.headers).some((k) => k.startsWith('psu-')))).toBe(false);
  });

  it('a renewed consent gives new uids that carry the same match keys', async () => {
    const first = await provider.listAccounts(await connect('state-1'));
    const second = await provider.listAccounts(await connect('state-2'));
    expect(second.map((a) => a.externalId)).not.toEqual(first.map((a) => a.externalId));
    expect(second.map((a) => a.matchKey)).toEqual(first.map((a) => a.matchKey));
  });

  it('the bank daily limit is RATE_LIMITED until UTC midnight; an ended session is CONSENT_EXPIRED', async () => {
    const h = await connect('state-1');
    const [current] = await provider.listAccounts(h);
    // Each fetch spends two of the bank's four unattended calls: transactions, then balances.
    await fetchAll(h, current!.externalId);
    await fetchAll(h, current!.externalId);
    const limited = await fetchAll(h, current!.externalId).catch((e: unknown) => e as BanksyncError);
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', retryAt: '2025-06-16T00:00:00.000Z' });

    mock.control.expireSessions();
    await expect(provider.listAccounts(h)).rejects.toMatchObject({ code: 'CONSENT_EXPIRED' });
    await expect(fetchAll(h, current!.externalId)).rejects.toMatchObject({ code: 'CONSENT_EXPIRED' });
  });
});
