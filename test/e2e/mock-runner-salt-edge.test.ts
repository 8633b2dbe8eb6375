import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';
import { runLive } from '../mocks/consent-driver.js';

const ROOT = resolve(__dirname, '../..');

/** `npm run mock -- salt-edge`: a signed (Live-like) mock on its own, with the key it prints. */
describe('npm run mock -- salt-edge', () => {
  const cli = new CliSandbox();
  afterAll(() => cli.cleanup());

  it('serves until SIGTERM; the CLI sets up with the printed key and connects by following the printed address', async () => {
    const child = spawn('npm', ['run', '--silent', 'mock', '--', 'salt-edge', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (c: string) => (err += c));
      const url = await new Promise<string>((done, fail) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          const m = /^listening on (http:\/\/127\.0\.0\.1:\d+\/api\/v6\/)$/m.exec(out);
          if (m) done(m[1]!);
        });
        child.once('exit', (code) => fail(new Error(`mock exited (${code}) before listening: ${out}`)));
      });
      while (!/BANKSYNC_SALT_EDGE_PRIVATE_KEY=\S+/.test(err)) await new Promise((r) => setTimeout(r, 50));
      const key = /BANKSYNC_SALT_EDGE_PRIVATE_KEY=(\S+)/.exec(err)![1]!;
      const env = { BANKSYNC_SALT_EDGE_BASE_URL: url, BANKSYNC_SALT_EDGE_APP_ID: 'test-app-id', BANKSYNC_SALT_EDGE_SECRET: 'test-secret', BANKSYNC_SALT_EDGE_PRIVATE_KEY: key };
      const setup = await cli.runAsync(['providers', 'setup', 'salt-edge'], env);
      expect(setup.code, setup.stderr).toBe(0);
      const run = runLive(cli, ['--json', 'connect', '--provider', 'salt-edge', '--accounts', 'all', '--no-input', '--no-browser', '--redirect-port', '0'], env);
      const page = await run.line(/^https?:\/\/\S+$/);
      const res = await fetch(page, { redirect: 'follow' });
      expect(res.status).toBe(200);
      const r = await run.done;
      expect(r.code, r.stderr).toBe(0);
      expect(
        JSON.parse(r.stdout)
          .accounts.map((a: { currency: string }) => a.currency)
          .sort(),
      ).toEqual(['BHD', 'EUR']);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
