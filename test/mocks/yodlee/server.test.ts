import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startYodleeMock, type YodleeMockHandle } from './server.js';

let mock: YodleeMockHandle;
const now = new Date('2026-10-01T12:00:00Z');
beforeEach(async () => {
  mock = await startYodleeMock({ now: () => now });
});
afterEach(async () => {
  await mock.close();
});

async function token(loginName: string, secret = mock.credentials.secret): Promise<Response> {
  return fetch(`${mock.url}/auth/token`, {
    method: 'POST',
    headers: { 'api-version': '1.1', loginName, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ clientId: mock.credentials.client_id, secret }),
  });
}
const bearer = async (loginName: string) => `Bearer ${((await (await token(loginName)).json()) as { token: { accessToken: string } }).token.accessToken}`;
const get = async (path: string, auth: string, headers: Record<string, string> = { 'api-version': '1.1' }) => fetch(`${mock.url}${path}`, { headers: { ...headers, authorization: auth } });

describe('Yodlee mock', () => {
  it('issues 30-minute tokens for known login names only, with Yodlee error bodies', async () => {
    const ok = await token(mock.credentials.admin_login_name);
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { token: { expiresIn: number } }).token.expiresIn).toBe(1800);
    expect(await (await token('admin', 'nope')).json()).toMatchObject({ errorCode: 'Y301', referenceCode: expect.any(String) });
    expect(await (await token('stranger')).json()).toMatchObject({ errorCode: 'Y305' });
  });

  it('registers a user once (Y811 after), then serves that user `{}` lists and checks paging bounds', async () => {
    const admin = await bearer(mock.credentials.admin_login_name);
    const reg = () =>
      fetch(`${mock.url}/user/register`, {
        method: 'POST',
        headers: { 'api-version': '1.1', authorization: admin, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { loginName: 'banksync-u1' } }),
      });
    expect((await reg()).status).toBe(200);
    expect(await (await reg()).json()).toMatchObject({ errorCode: 'Y811' });
    const user = await bearer('banksync-u1');
    expect(await (await get('/providerAccounts', user)).json()).toEqual({});
    expect(await (await get('/transactions?top=501', user)).json()).toMatchObject({ errorCode: 'Y804' });
    expect(await (await get('/transactions?fromDate=2026-02-01&toDate=2026-01-01', user)).json()).toMatchObject({ errorCode: 'Y809' });
    expect(await (await get('/accounts', user, {})).json()).toMatchObject({ errorCode: 'Y016' });
    expect(await (await get('/accounts', 'Bearer forged')).json()).toMatchObject({ errorCode: 'Y008' });
  });
});
