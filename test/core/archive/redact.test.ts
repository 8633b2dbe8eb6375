import { describe, expect, it } from 'vitest';
import { redactExchange, redactUrl, REDACTED } from '../../../src/core/archive/redact.js';
import { ArchiveAnswerer, exchangeKey, sharedAnswers } from '../../../src/core/archive/answerer.js';
import { registerSecret } from '../../../src/secrets/index.js';

const answer = (text: string, headers: Record<string, string> = { 'content-type': 'application/json' }) => ({ status: 200, headers, text });

describe('archive redaction: nothing kept lets anyone call the provider', () => {
  it('drops credential headers and keeps the ones the answer depends on', () => {
    const e = redactExchange(
      {
        method: 'GET',
        url: 'https://api.example/v1/x',
        headers: {
          accept: 'application/json',
          authorization: 'Bearer tok-123456',
          'app-id': 'my-app',
          secret: 's3cr3t-value',
          signature: 'sig',
          'plaid-version': '2020-09-14',
          'user-agent': 'banksync',
        },
      },
      answer('{}', { 'content-type': 'application/json', 'set-cookie': 'sid=abc', 'retry-after': '3', link: '<https://api.example/v1/x?page=2>; rel="next"' }),
    );
    expect(e.headers).toEqual({ accept: 'application/json', 'plaid-version': '2020-09-14' });
    expect(e.responseHeaders).toEqual({ 'content-type': 'application/json', 'retry-after': '3', link: '<https://api.example/v1/x?page=2>; rel="next"' });
    expect(JSON.stringify(e)).not.toMatch(/tok-123456|s3cr3t-value|my-app|sid=abc/);
  });

  it('takes user:password and secret query values out of URLs', () => {
    expect(redactUrl('https://user:pa55word@bridge.example/simplefin/accounts?start-date=1&access_token=abc123&api_key=k-999')).toBe(
      `https://bridge.example/simplefin/accounts?start-date=1&access_token=${encodeURIComponent(REDACTED)}&api_key=${encodeURIComponent(REDACTED)}`,
    );
  });

  it('scrubs secrets in JSON and form request bodies, at any depth', () => {
    const json = redactExchange(
      {
        method: 'POST',
        url: 'https://x/token',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ client_id: 'cid-1', secret: 'sec-1', options: { access_token: 'acc-1', count: 500 }, cursor: 'cur-1' }),
      },
      answer('{}'),
    );
    expect(JSON.parse(json.body!)).toEqual({ client_id: REDACTED, secret: REDACTED, options: { access_token: REDACTED, count: 500 }, cursor: 'cur-1' });
    const form = redactExchange(
      { method: 'POST', url: 'https://x/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token&refresh_token=rt-777&client_id=c-8' },
      answer('{}'),
    );
    expect(form.body).not.toMatch(/rt-777|c-8/);
    expect(new URLSearchParams(form.body).get('grant_type')).toBe('refresh_token');
  });

  it('replaces tokens in answers, and scrubs the same token wherever it shows up later', () => {
    const token = redactExchange({ method: 'POST', url: 'https://x/api/v2/token/new/', headers: {} }, answer('{"access":"eyJ-access-4242","access_expires":86400,"refresh":"eyJ-refresh-4242"}'));
    expect(JSON.parse(token.text)).toEqual({ access: REDACTED, access_expires: 86400, refresh: REDACTED });
    // The token echoed in a later URL (or body) is found by value.
    const later = redactExchange({ method: 'GET', url: 'https://x/api/items/eyJ-access-4242/list', headers: {} }, answer('{"note":"eyJ-refresh-4242"}'));
    expect(JSON.stringify(later)).not.toMatch(/eyJ-(access|refresh)-4242/);
  });

  it('keeps a data answer byte for byte: what replay maps again is what the bank sent', () => {
    const text = '{ "transactions": { "booked": [ { "transactionId": "t1", "transactionAmount": { "amount": "-12.30", "currency": "EUR" }, "keyword": "x", "last_refresh": "2026-11-20" } ] } }';
    expect(redactExchange({ method: 'GET', url: 'https://x/t', headers: {} }, answer(text)).text).toBe(text);
  });

  it('scrubs secrets registered from the secret store (a stored session token) even under harmless names', () => {
    registerSecret('stored-session-value-99');
    const e = redactExchange({ method: 'GET', url: 'https://x/a?item=stored-session-value-99', headers: {} }, answer('{"item":"stored-session-value-99"}'));
    expect(JSON.stringify(e)).not.toContain('stored-session-value-99');
  });
});

describe('replay answers: from the archive only', () => {
  const exchange = (url: string, text: string) => ({ method: 'GET', url, headers: {}, status: 200, responseHeaders: { 'content-type': 'application/json' }, text });

  it('matches method, path and query whatever the host and query order, pages of one URL in turn', () => {
    const own = [exchange('http://127.0.0.1:1/p?b=2&a=1', '1'), exchange('http://127.0.0.1:1/p?b=2&a=1', '2')];
    const answerer = new ArchiveAnswerer(own, new Map(), 'Test');
    const ask = () => answerer.answer({ method: 'GET', url: 'https://real.example/p?a=1&b=2', headers: { authorization: 'Bearer x' } }).text;
    expect([ask(), ask(), ask()]).toEqual(['1', '2', '2']);
    expect(answerer.requests).toBe(3);
  });

  it('tells POSTs to one URL apart by their body (Plaid: one cursor stream per account), whatever order they come in', () => {
    const post = (body: object, text: string) => ({
      method: 'POST',
      url: 'http://h/transactions/sync',
      headers: {},
      body: JSON.stringify({ access_token: REDACTED, ...body }),
      status: 200,
      responseHeaders: {},
      text,
    });
    const answerer = new ArchiveAnswerer([post({ account: 'A' }, 'for A'), post({ account: 'B' }, 'for B')], new Map(), 'Test');
    const ask = (account: string) =>
      answerer.answer({ method: 'POST', url: 'http://x/transactions/sync', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: 'access-live-1', account }) }).text;
    expect([ask('B'), ask('A')]).toEqual(['for B', 'for A']);
  });

  it("falls back to another fetch's answer (a token got once per run), and refuses what the archive never saw", () => {
    const shared = sharedAnswers([[exchange('http://h/token', 'tok')]]);
    const answerer = new ArchiveAnswerer([], shared, 'Test');
    expect(answerer.answer({ method: 'GET', url: 'http://other/token', headers: {} }).text).toBe('tok');
    expect(() => answerer.answer({ method: 'GET', url: 'http://h/never', headers: {} })).toThrow(/the archive holds no answer to GET \/never/);
    expect(exchangeKey('GET', 'http://h/x?z=1&a=2')).toBe('GET /x?a=2&z=1');
  });
});
