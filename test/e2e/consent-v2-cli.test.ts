import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

const DAY1 = { BANKSYNC_NOW: '2026-11-20T09:00:00Z' };

/** The interface v2 flags as the built CLI takes them, on the sandbox (app-chosen bank, confirm consent, no revoke). */
describe('setup tokens, who chooses the bank, and revocation at the CLI', () => {
  const cli = new CliSandbox({ inProcess: true });
  beforeAll(async () => {
    expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'], DAY1)).code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  it('--setup-token reaches consent: a provider that takes none refuses it in one line, exit 2, nothing stored', async () => {
    const connect = await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes', '--setup-token', 'tok-123456'], DAY1);
    expect(connect.code).toBe(2);
    expect(connect.stderr.trim().split('\n')).toEqual(['error: --setup-token is not used by Sandbox (built-in, offline) — drop --setup-token']);
    const renew = await cli.runAsync(['update-credentials', 'c1', '--yes', '--setup-token', 'tok-123456'], DAY1);
    expect(renew.code).toBe(2);
    expect(renew.stderr).toMatch(/--setup-token is not used by Sandbox/);
    expect((await cli.jsonAsync(['status'], DAY1)).connections).toHaveLength(1);
  });

  it('providers --json says who chooses the bank, from the registry without loading adapters', async () => {
    const { providers } = await cli.jsonAsync(['providers'], DAY1);
    expect(providers.map((p: { id: string; institutionChoice: string; consent: string }) => [p.id, p.institutionChoice, p.consent])).toEqual([
      ['sandbox', 'app', 'confirm'],
      ['gocardless', 'app', 'redirect'],
      ['enable-banking', 'app', 'redirect'],
      ['ponto', 'app', 'redirect'],
      ['simplefin', 'provider', 'token'],
      ['plaid', 'provider', 'redirect'],
      ['salt-edge', 'provider', 'redirect'],
      ['yodlee', 'provider', 'redirect'],
    ]);
  });

  it('disconnect says when a provider has nothing to revoke', async () => {
    const r = await cli.jsonAsync(['disconnect', 'c1', '--keep-history'], DAY1);
    expect(r).toMatchObject({ connection: 'c1', history: 'kept', revoked: 'not supported' });
  });
});
