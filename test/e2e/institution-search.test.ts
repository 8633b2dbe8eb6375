import { afterEach, describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli.js';

const NONE_SET_UP = 'no bank provider is set up yet';

describe('institution search for a newcomer', () => {
  let cli: CliSandbox;
  afterEach(() => cli?.cleanup());

  it('says that only the sandbox was searched while no real provider is set up, and never offers "Expiring" for "ING"', async () => {
    cli = new CliSandbox({ inProcess: true });
    const r = await cli.runAsync(['institutions', 'ING']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no institution matches');
    expect(r.stdout).not.toContain('Expiring');
    expect(r.stderr).toContain(NONE_SET_UP);
    expect(r.stderr).toContain('banksync providers setup ID');
  });

  it('matches words by their start, and longer queries anywhere in a name', async () => {
    cli = new CliSandbox({ inProcess: true });
    expect((await cli.jsonAsync<{ institutions: { id: string }[] }>(['institutions', 'tok', '--provider', 'sandbox'])).institutions.map((i) => i.id)).toEqual(['sandbox-yen']);
    expect((await cli.jsonAsync<{ institutions: { id: string }[] }>(['institutions', 'xpiring', '--provider', 'sandbox'])).institutions.map((i) => i.id)).toEqual(['sandbox-expiring']);
  });

  it('stays quiet about set-up when asked for the sandbox alone or when a provider is set up', async () => {
    cli = new CliSandbox({ inProcess: true });
    expect((await cli.runAsync(['institutions', 'bank', '--provider', 'sandbox'])).stderr).not.toContain(NONE_SET_UP);
    // GoCardless set up through the environment, its service unreachable: a different warning.
    const r = await cli.runAsync(['institutions', 'bank'], { BANKSYNC_GOCARDLESS_SECRET_ID: 'id', BANKSYNC_GOCARDLESS_SECRET_KEY: 'key', BANKSYNC_GOCARDLESS_BASE_URL: 'http://127.0.0.1:9' });
    expect(r.stderr).not.toContain(NONE_SET_UP);
    expect(r.stderr).toContain('gocardless');
  });
});
