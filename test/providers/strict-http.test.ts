import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { StrictMockAgent } from '../helpers/strict-http.js';

describe('StrictMockAgent (the adapter tests’ HTTP mock)', () => {
  it('fails verify() on a request no interceptor matched, even when the caller swallowed the error', async () => {
    const agent = new StrictMockAgent();
    agent.get('https://bank.test').intercept({ path: '/a', method: 'GET' }).reply(200, 'ok');
    await request('https://bank.test/b', { dispatcher: agent }).catch(() => undefined); // swallowed
    expect((await request('https://bank.test/a', { dispatcher: agent })).statusCode).toBe(200);
    await expect(agent.verify()).rejects.toThrow(/no interceptor matched:\n {2}GET https:\/\/bank\.test\/b/);
  });

  it('fails verify() on an interceptor left unused, and passes when every one was used', async () => {
    const unused = new StrictMockAgent();
    unused.get('https://bank.test').intercept({ path: '/a', method: 'GET' }).reply(200, 'ok');
    await expect(unused.verify()).rejects.toThrow(/interceptor is pending/);
    const used = new StrictMockAgent();
    used.get('https://bank.test').intercept({ path: '/a', method: 'GET' }).reply(200, 'ok');
    await (await request('https://bank.test/a', { dispatcher: used })).body.text();
    await expect(used.verify()).resolves.toBeUndefined();
  });
});
