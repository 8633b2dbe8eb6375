import { generateKeyPairSync } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { Interceptable } from 'undici';
import { StrictMockAgent } from '../../helpers/strict-http.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BanksyncError } from '../../../src/domain/errors.js';
import { createEnableBankingProvider } from '../../../src/providers/enable-banking/index.js';
import type { ConsentStart, Institution, SessionHandle } from '../../../src/providers/types.js';

const BASE = 'https://api.enablebanking.com';
const APP = 'a1b2c3d4-0000-4000-8000-00000000e5f6';
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };
const REDIRECT = 'http://127.0.0.1:8765/callback';

let now = new Date('2025-06-15T10:00:00Z');
let agent: StrictMockAgent;
let api: Interceptable;

beforeEach(() => {
  now = new Date('2025-06-15T10:00:00Z');
  agent = new StrictMockAgent();
  api = agent.get(BASE);
});
afterEach(async () => {
  await agent.verify();
});

const provider = (credentials: Record<string, string> = { application_id: APP, private_key: PEM }) => createEnableBankingProvider({ now: () => now, env: {}, dispatcher: agent, credentials });

async function caught(p: Promise<unknown>): Promise<BanksyncError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BanksyncError);
  return err as BanksyncError;
}

const aspsp = (name: string, beta: boolean, days: number) => ({
  name,
  country: 'FI',
  logo: `https://enablebanking.com/brands/FI/${name}/`,
  bic: 'NDEAFIHH',
  psu_types: ['personal', 'business'],
  auth_methods: [{ name: 'redirect', title: 'Online banking', psu_type: 'personal', approach: 'REDIRECT', credentials: [], hidden_method: false }],
  maximum_consent_validity: days * 86_400,
  beta,
  required_psu_headers: ['Psu-Ip-Address'],
  payments: [],
  group: null,
});
const ASPSPS = { aspsps: [aspsp('Nordea', false, 180), aspsp('S-Pankki', true, 90)] };
const aspspQuery = { country: 'FI', psu_type: 'personal', service: 'AIS' };

const CURRENT = {
  account_id: { iban: 'FI2112345600000785' },
  all_account_ids: [{ identification: 'FI2112345600000785', scheme_name: 'IBAN' }],
  account_servicer: { bic_fi: 'NDEAFIHH', name: 'Nordea' },
  name: 'Aino Virtanen',
  details: null,
  usage: 'PRIV',
  cash_account_type: 'CACC',
  product: 'Current account',
  currency: 'EUR',
  psu_status: 'Account Holder',
  credit_limit: null,
  uid: '11111111-1111-4111-8111-111111111111',
  identification_hash: 'WyJhY2NvdW50Il0=.hash-current',
  identification_hashes: ['WyJhY2NvdW50Il0=.hash-current'],
};
const CARD = {
  ...CURRENT,
  account_id: { other: { identification: '492156******1234', scheme_name: 'CPAN', issuer: null } },
  all_account_ids: [],
  details: 'My Visa',
  cash_account_type: 'CARD',
  product: 'Visa Credit',
  credit_limit: { currency: 'EUR', amount: '3000.00' },
  uid: '22222222-2222-4222-8222-222222222222',
  identification_hash: 'WyJjYXJkIl0=.hash-card',
  identification_hashes: ['WyJjYXJkIl0=.hash-card'],
};

describe('institutions', () => {
  it('lists ASPSPs as <COUNTRY>:<name> with beta and consent days', async () => {
    api.intercept({ path: '/aspsps', method: 'GET', query: aspspQuery }).reply(200, ASPSPS, JSON_HEADERS);
    const list = await provider().listInstitutions('fi');
    expect(list).toEqual([
      { id: 'FI:Nordea', providerId: 'enable-banking', name: 'Nordea', country: 'FI', beta: false, scaEveryFetch: false, consentDays: 180, stableTransactionIds: true },
      { id: 'FI:S-Pankki', providerId: 'enable-banking', name: 'S-Pankki', country: 'FI', beta: true, scaEveryFetch: false, consentDays: 90, stableTransactionIds: true },
    ]);
  });

  it('finds one institution by id in its country list, and knows when it is gone', async () => {
    api.intercept({ path: '/aspsps', method: 'GET', query: aspspQuery }).reply(200, ASPSPS, JSON_HEADERS).times(2);
    const p = provider();
    expect((await p.getInstitution('FI:S-Pankki'))?.beta).toBe(true);
    expect(await p.getInstitution('FI:Nope Bank')).toBeUndefined();
    expect(await p.getInstitution('not-an-id')).toBeUndefined();
  });
});

describe('app credentials and the JWT', () => {
  it('signs an RS256 JWT with kid = application id, iss/aud fixed, one hour, reused until near expiry', async () => {
    const tokens: string[] = [];
    api
      .intercept({ path: '/application', method: 'GET' })
      .reply(
        200,
        (o) => {
          tokens.push(String((o.headers as Record<string, string>).authorization).replace(/^Bearer /, ''));
          return { name: 'banksync', kid: APP, environment: 'SANDBOX', redirect_urls: [REDIRECT], active: true, countries: ['FI'], services: ['AIS'] };
        },
        JSON_HEADERS,
      )
      .times(3);
    const p = provider();
    await p.verifyCredentials!();
    await p.verifyCredentials!();
    now = new Date(now.getTime() + 3_550_000); // less than 60 s before exp: sign again
    await p.verifyCredentials!();
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(decodeProtectedHeader(tokens[0]!)).toEqual({ alg: 'RS256', typ: 'JWT', kid: APP });
    const { payload } = await jwtVerify(tokens[0]!, keys.publicKey, {
      issuer: 'enablebanking.com',
      audience: 'api.enablebanking.com',
      currentDate: new Date('2025-06-15T10:00:00Z'),
    });
    expect(payload.iat).toBe(Date.parse('2025-06-15T10:00:00Z') / 1000);
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('a refused JWT is CREDENTIALS_INVALID naming the application id and private key', async () => {
    api
      .intercept({ path: '/application', method: 'GET' })
      .reply(401, { message: 'Unauthorized access', code: 401, error: 'UNAUTHORIZED_ACCESS', detail: 'Invalid JWT: signature verification failed' }, JSON_HEADERS);
    const err = await caught(provider().verifyCredentials!());
    expect(err.code).toBe('CREDENTIALS_INVALID');
    expect(err.message).toMatch(/application id or private key/);
    expect(err.hint).toMatch(/banksync providers setup enable-banking/);
  });

  it('an unreadable PEM is CREDENTIALS_INVALID naming the private key, without a call or the key in the message', async () => {
    const garbage = '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n';
    const err = await caught(provider({ application_id: APP, private_key: garbage }).verifyCredentials!());
    expect(err.code).toBe('CREDENTIALS_INVALID');
    expect(err.message).toMatch(/private key/);
    expect(err.message).not.toMatch(/BEGIN|bm90/);
  });

  it('reads a PKCS#1 ("RSA PRIVATE KEY") file too', async () => {
    api.intercept({ path: '/application', method: 'GET' }).reply(200, { kid: APP, active: true }, JSON_HEADERS);
    const pkcs1 = keys.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    await provider({ application_id: APP, private_key: pkcs1 }).verifyCredentials!();
  });

  it('a missing application id is NOT_CONFIGURED', async () => {
    const err = await caught(provider({ private_key: PEM }).verifyCredentials!());
    expect(err.code).toBe('NOT_CONFIGURED');
    expect(err.message).toMatch(/application id/);
  });
});

const NORDEA: Institution = { id: 'FI:Nordea', providerId: 'enable-banking', name: 'Nordea', country: 'FI', beta: false, scaEveryFetch: false, consentDays: 180, stableTransactionIds: true };

describe('consent', () => {
  it('POST /auth asks for balances and transactions until now + consent days, and carries our state', async () => {
    let sent: Record<string, unknown> = {};
    api.intercept({ path: '/auth', method: 'POST' }).reply(
      200,
      (o) => {
        sent = JSON.parse(String(o.body)) as Record<string, unknown>;
        return { url: 'https://tilisy.enablebanking.com/welcome?sessionid=73100c65', authorization_id: '73100c65', psu_id_hash: 'abc' };
      },
      JSON_HEADERS,
    );
    const start = await provider().beginConsent({ institution: NORDEA, redirectUrl: REDIRECT, state: 'st-42' });
    expect(start.url).toBe('https://tilisy.enablebanking.com/welcome?sessionid=73100c65');
    expect(start.state).toMatchObject({ state: 'st-42', aspsp: { name: 'Nordea', country: 'FI' } });
    expect(sent).toEqual({
      // 180 days minus a minute of margin for clock skew, RFC 3339 with an explicit offset.
      access: { valid_until: '2025-12-12T09:59:00.000+00:00', balances: true, transactions: true },
      aspsp: { name: 'Nordea', country: 'FI' },
      state: 'st-42',
      redirect_url: REDIRECT,
      psu_type: 'personal',
    });
  });

  it('a redirect URL the application has not whitelisted is NOT_CONFIGURED with how to fix it', async () => {
    api.intercept({ path: '/auth', method: 'POST' }).reply(400, { message: 'Redirect URI not allowed', code: 400, error: 'REDIRECT_URI_NOT_ALLOWED', detail: null }, JSON_HEADERS);
    const err = await caught(provider().beginConsent({ institution: NORDEA, redirectUrl: 'http://127.0.0.1:9999/callback', state: 's' }));
    expect(err.code).toBe('NOT_CONFIGURED');
    expect(err.hint).toMatch(/http:\/\/127\.0\.0\.1:9999\/callback/);
    expect(err.hint).toMatch(/control panel/);
    expect(err.hint).toMatch(/--redirect-port/);
  });

  const START: ConsentStart = { url: 'x', state: { state: 'st-42', aspsp: { name: 'Nordea', country: 'FI' } } };

  it('exchanges the callback code for a session that keeps the account resources and expiry', async () => {
    api.intercept({ path: '/sessions', method: 'POST', body: JSON.stringify({ code: 'code-1' }) }).reply(
      200,
      {
        session_id: 'sess-1',
        accounts: [CURRENT, CARD],
        aspsp: { name: 'Nordea', country: 'FI' },
        psu_type: 'personal',
        access: { valid_until: '2025-12-12T09:59:00.000000+00:00', balances: true, transactions: true },
      },
      JSON_HEADERS,
    );
    const grant = await provider().completeConsent(START, { code: 'code-1', state: 'st-42' });
    expect(grant.expiresAt).toBe('2025-12-12T09:59:00.000Z');
    expect(grant.session).toEqual({ sessionId: 'sess-1', aspsp: { name: 'Nordea', country: 'FI' }, accounts: { [CURRENT.uid]: CURRENT, [CARD.uid]: CARD } });
  });

  it('refuses a callback for another state, or a refusal, without calling the API', async () => {
    expect((await caught(provider().completeConsent(START, { code: 'c', state: 'other' }))).code).toBe('BAD_INPUT');
    expect((await caught(provider().completeConsent(START, { error: 'access_denied', state: 'st-42' }))).code).toBe('BAD_INPUT');
  });
});

describe('accounts', () => {
  const handle = (): SessionHandle & { saves: number } => {
    const h = { data: { sessionId: 'sess-1', aspsp: { name: 'Nordea', country: 'FI' }, accounts: { [CURRENT.uid]: CURRENT } } as Record<string, unknown>, saves: 0, save: async () => void h.saves++ };
    return h;
  };
  const info = (status: string) => ({
    status,
    accounts: [CURRENT.uid, CARD.uid],
    accounts_data: [],
    aspsp: { name: 'Nordea', country: 'FI' },
    psu_type: 'personal',
    access: { valid_until: '2025-12-12T09:59:00.000000+00:00' },
  });

  it('maps stored account resources, fetching details once for an account not seen before', async () => {
    api.intercept({ path: '/sessions/sess-1', method: 'GET' }).reply(200, info('AUTHORIZED'), JSON_HEADERS);
    api.intercept({ path: `/accounts/${CARD.uid}/details`, method: 'GET' }).reply(200, CARD, JSON_HEADERS);
    const h = handle();
    const accounts = await provider().listAccounts(h);
    expect(accounts).toEqual([
      {
        externalId: CURRENT.uid,
        institutionId: 'FI:Nordea',
        name: 'Current account',
        iban: 'FI2112345600000785',
        number: undefined,
        currency: 'EUR',
        kind: 'checking',
        matchKey: CURRENT.identification_hash,
      },
      { externalId: CARD.uid, institutionId: 'FI:Nordea', name: 'My Visa', iban: undefined, number: '492156******1234', currency: 'EUR', kind: 'credit_card', matchKey: CARD.identification_hash },
    ]);
    expect(h.saves).toBe(1);
    expect(Object.keys(h.data.accounts as object)).toEqual([CURRENT.uid, CARD.uid]);
  });

  it('an expired session is CONSENT_EXPIRED', async () => {
    api.intercept({ path: '/sessions/sess-1', method: 'GET' }).reply(200, info('EXPIRED'), JSON_HEADERS);
    expect((await caught(provider().listAccounts(handle()))).code).toBe('CONSENT_EXPIRED');
  });
});
