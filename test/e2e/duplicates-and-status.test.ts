import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliSandbox, CONNECT_SANDBOX } from '../helpers/cli.js';

// Status shows local times: the zone is pinned so "08:00 CET" is the same on every machine.
const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z', TZ: 'Europe/Amsterdam' };
const fixture = (p: string) => resolve(__dirname, '../../fixtures/import', p);
/** Its ACCTID is the sandbox Savings IBAN (NL74SBOX0123456789). */
const SAVINGS_OFX = fixture('trust/savings-statement.ofx');
/** Four EUR lines, no account number (QIF names none). */
const QIF = fixture('qif/quicken-two-digit-years.qif');

const oneLine = (stderr: string) => stderr.trim().split('\n');

describe('connect refuses a bank or an account already connected', () => {
  const cli = new CliSandbox({ inProcess: true });
  afterAll(() => cli.cleanup());

  it('the same institution again: one line, exit 2, the commands that help; nothing stored', async () => {
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    const again = await cli.runAsync(CONNECT_SANDBOX, NOW);
    expect(again.code).toBe(2);
    expect(oneLine(again.stderr)).toEqual([expect.stringMatching(/^error: Sandbox Bank is already connected as c1 .*banksync update-credentials c1.*banksync fetch-accounts c1.*--allow-duplicate/)]);
    expect((await cli.jsonAsync(['status'], NOW)).connections).toHaveLength(1);
    expect((await cli.jsonAsync(['accounts'], NOW)).accounts).toHaveLength(3);
  });

  it('--allow-duplicate connects a second login at the same bank', async () => {
    const r = await cli.jsonAsync([...CONNECT_SANDBOX, '--allow-duplicate'], NOW);
    expect(r.connection).toBe('c2');
  });

  it('a disconnected connection does not count', async () => {
    for (const c of ['c1', 'c2']) expect((await cli.runAsync(['disconnect', c, '--keep-history'], NOW)).code).toBe(0);
    expect((await cli.jsonAsync(CONNECT_SANDBOX, NOW)).connection).toBe('c3');
  });

  it('an account whose IBAN is already held by an account of imported files: refused before any account is stored', async () => {
    const files = new CliSandbox({ inProcess: true });
    try {
      expect((await files.jsonAsync(['import', SAVINGS_OFX], NOW)).files[0].statements[0].account).toBe('a1');
      const r = await files.runAsync(CONNECT_SANDBOX, NOW);
      expect(r.code).toBe(2);
      expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/^error: Savings \(NL74…6789\) is already a1 .*imported statement files.*--accounts.*--allow-duplicate/)]);
      expect((await files.jsonAsync(['status'], NOW)).connections).toEqual([]);
      expect((await files.jsonAsync(['accounts'], NOW)).accounts).toHaveLength(1);
      // Leaving that account out connects the others.
      const ok = await files.jsonAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'nl-checking,nl-card', '--yes'], NOW);
      expect(ok.accounts.map((a: { name: string }) => a.name)).toEqual(['Checking', 'Credit Card']);
    } finally {
      files.cleanup();
    }
  });
});

describe('import --new-account NAME run twice keeps one account', () => {
  const cli = new CliSandbox({ inProcess: true });
  afterAll(() => cli.cleanup());
  const importNew = (file: string, name: string, ...more: string[]) => cli.runAsync(['--json', 'import', file, '--new-account', name, ...more], NOW);

  it('reuses the file account of that name; the second run adds nothing', async () => {
    const first = JSON.parse((await importNew(QIF, 'Old savings', '--currency', 'EUR')).stdout).files[0].statements[0];
    expect(first).toMatchObject({ account: 'a1', created: true, added: 4 });
    const second = await importNew(QIF, 'Old savings', '--currency', 'EUR');
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).files[0].statements[0]).toMatchObject({ account: 'a1', created: false, added: 0, duplicates: 4 });
    // The name is matched as a person types it; the account's currency serves a file without one.
    expect(JSON.parse((await importNew(QIF, 'old savings')).stdout).files[0].statements[0]).toMatchObject({ account: 'a1', added: 0 });
    expect((await cli.jsonAsync(['accounts'], NOW)).accounts).toHaveLength(1);
  });

  it('reuses the account a file names by its IBAN or number', async () => {
    expect(JSON.parse((await importNew(SAVINGS_OFX, 'Spaarrekening')).stdout).files[0].statements[0]).toMatchObject({ account: 'a2', created: true, added: 1 });
    expect(JSON.parse((await importNew(SAVINGS_OFX, 'Spaarrekening')).stdout).files[0].statements[0]).toMatchObject({ account: 'a2', created: false, added: 0 });
    expect((await cli.jsonAsync(['accounts'], NOW)).accounts).toHaveLength(2);
  });

  it('refuses a second account of the same name where reusing it would be wrong, naming the account', async () => {
    const otherCurrency = await importNew(QIF, 'Old savings', '--currency', 'USD');
    expect(otherCurrency.code).toBe(2);
    expect(oneLine(otherCurrency.stderr)).toEqual([expect.stringMatching(/^error: an account called "Old savings" already exists: a1 .* in EUR.*--account a1/)]);
    // (Savings is a2 already, from its statement file.)
    expect((await cli.runAsync(['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'nl-checking', '--yes'], NOW)).code).toBe(0);
    const synced = await importNew(QIF, 'Checking', '--currency', 'EUR');
    expect(synced.code).toBe(2);
    expect(synced.stderr).toMatch(/an account called "Checking" already exists: a3 "Checking" is synced from c1.*--account a3/);
    expect((await cli.jsonAsync(['accounts'], NOW)).accounts).toHaveLength(3);
  });
});

describe('fetch-accounts on a connection that cannot be asked', () => {
  const cli = new CliSandbox({ inProcess: true });
  afterAll(() => cli.cleanup());
  const REVOKED = { ...NOW, BANKSYNC_SANDBOX_FAULTS: 'disconnect=sandbox-bank' };

  it('revoked by the bank: says so with update-credentials, exit 3, also once the bank answers again', async () => {
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    const r = await cli.runAsync(['fetch-accounts', 'c1'], REVOKED);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toEqual(['error: Sandbox Bank reports the connection as revoked — renew it: banksync update-credentials c1']);
    // The revocation is remembered: "no new accounts" would be a lie until consent is renewed.
    const later = await cli.runAsync(['fetch-accounts', 'c1'], NOW);
    expect(later.code).toBe(3);
    expect(later.stderr).toMatch(/revoked — renew it: banksync update-credentials c1/);
    expect((await cli.runAsync(['update-credentials', 'c1', '--yes'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['fetch-accounts', 'c1'], NOW)).stdout).toMatch(/^c1: no new accounts/);
  });

  it('an expired consent: says it expired, exit 3', async () => {
    expect((await cli.runAsync(['connect', '--institution', 'sandbox-lapsed', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    const r = await cli.runAsync(['fetch-accounts', 'c2'], NOW);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: consent for c2 \(Sandbox Lapsed Bank\) expired on .* — renew it: banksync update-credentials c2$/m);
  });

  it('a disconnected connection: says it is disconnected, exit 3', async () => {
    expect((await cli.runAsync(['disconnect', 'c1', '--keep-history'], NOW)).code).toBe(0);
    const r = await cli.runAsync(['fetch-accounts', 'c1'], NOW);
    expect(r.code).toBe(3);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/^error: c1 \(Sandbox Bank\) is disconnected: .*banksync update-credentials c1$/)]);
  });
});

describe('status and accounts show what syncs, what does not, and what came from files', () => {
  const cli = new CliSandbox({ inProcess: true });
  afterAll(() => cli.cleanup());

  it('a disconnected connection: no consent countdown, its accounts not syncing, nothing due', async () => {
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', 'c1'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['status'], NOW)).stdout).toMatch(/^ {2}a1 +Checking +EUR +synced +last synced 2026-11-22 08:00 CET \(\+\d+ new\), next due 2026-11-22 20:00 CET$/m);
    expect((await cli.runAsync(['disconnect', 'c1', '--keep-history'], NOW)).code).toBe(0);
    const out = (await cli.runAsync(['status'], NOW)).stdout;
    expect(out).toMatch(/^c1 Sandbox Bank via sandbox \[disconnected\]$/m);
    expect(out).not.toMatch(/days left|next due|renew|EUR +synced/);
    expect(out).toMatch(/^ {2}a1 +Checking +EUR +not syncing +last synced 2026-11-22 08:00 CET/m);
    const json = (await cli.jsonAsync(['status'], NOW)).connections[0];
    expect(json).toMatchObject({ status: 'disconnected', consentDaysLeft: null, consentWarning: false });
    for (const a of json.accounts) expect(a).toMatchObject({ sync: 'not_syncing', nextDueAt: null });
    expect((await cli.runAsync(['accounts'], NOW)).stdout).toMatch(/^a1 .* not syncing /m);
  });

  it('accounts of imported files: listed under files in status, SYNC file in accounts', async () => {
    expect((await cli.runAsync(['import', QIF, '--new-account', 'Old savings', '--currency', 'EUR'], NOW)).code).toBe(0);
    const out = (await cli.runAsync(['status'], NOW)).stdout;
    expect(out).toMatch(/^files .*\n {2}a4 +Old savings +EUR +file\n +4 transactions$/m);
    const { files } = await cli.jsonAsync(['status'], NOW);
    expect(files).toEqual([expect.objectContaining({ id: 'a4', sync: 'file', nextDueAt: null, transactions: 4 })]);
    expect((await cli.runAsync(['accounts'], NOW)).stdout).toMatch(/^a4 +- +file +Old savings .* file +month /m);
    expect((await cli.jsonAsync(['accounts'], NOW)).accounts.find((a: { id: string }) => a.id === 'a4').sync).toBe('file');
  });

  it('only files, no connection: status still lists them', async () => {
    const only = new CliSandbox({ inProcess: true });
    try {
      expect((await only.runAsync(['import', QIF, '--new-account', 'Cash book', '--currency', 'EUR'], NOW)).code).toBe(0);
      expect((await only.runAsync(['status'], NOW)).stdout).toMatch(/a1 +Cash book +EUR +file/);
    } finally {
      only.cleanup();
    }
  });
});

describe('status --quiet prints only what needs attention', () => {
  const cli = new CliSandbox({ inProcess: true });
  afterAll(() => cli.cleanup());

  it('nothing when all is well (a disconnected connection and file accounts included)', async () => {
    expect(await cli.runAsync(['status', '--quiet'], NOW)).toMatchObject({ code: 0, stdout: '' });
    expect((await cli.runAsync(CONNECT_SANDBOX, NOW)).code).toBe(0);
    expect((await cli.runAsync(['sync', 'c1'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['import', QIF, '--new-account', 'Old savings', '--currency', 'EUR'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['connect', '--institution', 'sandbox-sca', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['disconnect', 'c2', '--keep-history'], NOW)).code).toBe(0);
    expect(await cli.runAsync(['status', '--quiet'], NOW)).toMatchObject({ code: 0, stdout: '' });
  });

  it('a consent inside the warning window, with the renewal command; consent-warn-days moves the window', async () => {
    expect((await cli.runAsync(['connect', '--institution', 'sandbox-expiring', '--accounts', 'all', '--yes'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['status', '--quiet'], NOW)).stdout).toBe(
      'c3 Sandbox Expiring Bank via sandbox: consent ends in 10 days (2026-12-02 08:00 CET) — renew: banksync update-credentials c3\n',
    );
    expect((await cli.runAsync(['config', 'consent-warn-days', '5'], NOW)).code).toBe(0);
    expect((await cli.runAsync(['status', '--quiet'], NOW)).stdout).toBe('');
    expect((await cli.jsonAsync(['status'], NOW)).connections[2].consentWarning).toBe(false);
  });

  it('a failed account and an expired consent, one line each', async () => {
    expect((await cli.runAsync(['sync', 'c1'], { ...NOW, BANKSYNC_NOW: '2026-11-22T19:00:00Z', BANKSYNC_SANDBOX_FAULTS: 'fail-account=nl-savings' })).code).toBe(5);
    const later = { ...NOW, BANKSYNC_NOW: '2026-12-03T07:00:00Z' };
    const lines = (await cli.runAsync(['status', '--quiet'], later)).stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^a2 Savings \(c1\): failed: .*503.* \[ref E-[A-Z0-9]{6}\]$/),
      'c3 Sandbox Expiring Bank via sandbox: consent expired 2026-12-02 08:00 CET — renew: banksync update-credentials c3',
    ]);
    expect((await cli.jsonAsync(['status'], later)).attention).toEqual([
      { id: 'a2', kind: 'failed' },
      { id: 'c3', kind: 'consent_expired' },
    ]);
  });
});
