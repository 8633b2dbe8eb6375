import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';
import { runLive } from '../mocks/consent-driver.js';

const ROOT = resolve(__dirname, '../..');

/** `npm run mock -- <provider>`: a mock on its own, as a person (or a script) points the CLI at it. */
describe('npm run mock', () => {
  const cli = new CliSandbox();
  afterAll(() => cli.cleanup());

  it('serves the GoCardless mock until SIGTERM; the CLI sets up and searches against it', async () => {
    const child = spawn('npm', ['run', '--silent', 'mock', '--', 'gocardless', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const url = await new Promise<string>((done, fail) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
          if (m) done(m[1]!);
        });
        child.once('exit', (code) => fail(new Error(`mock exited (${code}) before listening: ${out}`)));
      });
      const env = { BANKSYNC_GOCARDLESS_BASE_URL: url, BANKSYNC_GOCARDLESS_SECRET_ID: 'sandbox-secret-id', BANKSYNC_GOCARDLESS_SECRET_KEY: 'sandbox-secret-key' };
      const setup = await cli.runAsync(['providers', 'setup', 'gocardless'], env);
      expect(setup.code, setup.stderr).toBe(0);
      const { institutions } = await cli.jsonAsync(['institutions', '--provider', 'gocardless', '--country', 'BE'], env);
      expect(institutions.map((i: { id: string }) => i.id)).toContain('KBC_KREDBEBB');
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('serves the Plaid mock; the CLI sets up and searches against it', async () => {
    const child = spawn('npm', ['run', '--silent', 'mock', '--', 'plaid', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const url = await new Promise<string>((done, fail) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out);
          if (m) done(m[1]!);
        });
        child.once('exit', (code) => fail(new Error(`mock exited (${code}) before listening: ${out}`)));
      });
      const env = { BANKSYNC_PLAID_BASE_URL: url, BANKSYNC_PLAID_CLIENT_ID: 'test-client-id', BANKSYNC_PLAID_SECRET: 'test-sandbox-secret', BANKSYNC_PLAID_ENV: 'sandbox' };
      const setup = await cli.runAsync(['providers', 'setup', 'plaid'], env);
      expect(setup.code, setup.stderr).toBe(0);
      const { institutions } = await cli.jsonAsync(['institutions', 'platypus', '--provider', 'plaid'], env);
      expect(institutions.map((i: { id: string }) => i.id)).toContain('ins_109508');
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('serves the Yodlee mock; the CLI sets up with the lines it prints and connects through its FastLink stand-in', async () => {
    const child = spawn('npm', ['run', '--silent', 'mock', '--', 'yodlee', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (err += chunk));
      await new Promise<void>((done, fail) => {
        const check = () => /^listening on http:\/\/127\.0\.0\.1:\d+\/ysl$/m.test(out) && /^credentials: .*\n/m.test(err) && done();
        child.stdout.on('data', (chunk: string) => ((out += chunk), check()));
        child.stderr.on('data', check);
        child.once('exit', (code) => fail(new Error(`mock exited (${code}) before listening: ${out}${err}`)));
      });
      // The printed lines are NAME=value pairs, as a person would paste them into a shell.
      const env = Object.fromEntries([...err.matchAll(/(BANKSYNC_YODLEE_[A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining(['BANKSYNC_YODLEE_BASE_URL', 'BANKSYNC_YODLEE_FASTLINK_SCRIPT', 'BANKSYNC_YODLEE_CLIENT_ID', 'BANKSYNC_YODLEE_SECRET', 'BANKSYNC_YODLEE_ADMIN_LOGIN_NAME']),
      );
      const setup = await cli.runAsync(['providers', 'setup', 'yodlee'], env);
      expect(setup.code, setup.stderr).toBe(0);
      const run = runLive(cli, ['--json', 'connect', '--provider', 'yodlee', '--accounts', 'all', '--no-input', '--no-browser', '--redirect-port', '0'], env);
      const address = await run.line(/^http:\/\/127\.0\.0\.1:\d+\/connect$/);
      const html = await (await fetch(address)).text();
      const cfg = JSON.parse(/<script type="application\/json" id="banksync-fastlink">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
        accessToken: string;
        params: unknown;
        state: string;
        callback: string;
      };
      expect(html).toContain(`src="${env.BANKSYNC_YODLEE_FASTLINK_SCRIPT}"`);
      const linked = (await (
        await fetch(`${env.BANKSYNC_YODLEE_BASE_URL}/fastlink/link`, {
          method: 'POST',
          headers: { 'api-version': '1.1', authorization: cfg.accessToken },
          body: JSON.stringify({ params: cfg.params }),
        })
      ).json()) as { providerAccountId: number };
      await fetch(cfg.callback, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state: cfg.state, providerAccountId: String(linked.providerAccountId), status: 'SUCCESS' }),
      });
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).accounts).toHaveLength(2);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('names the mocks it has when asked for another', () => {
    const r = spawnSync('npm', ['run', '--silent', 'mock', '--', 'nosuchbank'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error: no mock for "nosuchbank"\nusage: npm run mock -- <gocardless\|enable-banking\|ponto(\|[a-z-]+)*> \[--port N\]/);
    expect(r.stderr).toMatch(/\|plaid[|>]/);
  });
});
