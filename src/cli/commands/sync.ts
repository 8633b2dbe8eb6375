import { formatMinor } from '../../domain/money.js';
import type { Command } from 'commander';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { badInput, toBanksyncError, type BanksyncError } from '../../domain/errors.js';
import type { NotifySummary } from '../../core/notify-hook.js';
import type { AccountResult, ConsentWarning, SyncOptions, SyncReport } from '../../core/sync/engine.js';
import type { RunOutcome } from '../../core/sync/outcomes.js';
import { exitCodeOf, exitCodeOfOutcome } from '../exit-codes.js';
import type { SyncTarget } from '../../core/sync/select.js';
import { parseAccountRef, parseConnectionRef, parseNonNegativeInt } from '../parse.js';
import { localTime, plural } from '../format.js';
import { concurrency, readPreferences, type Preferences } from '../preferences.js';
import type { RuntimeOf } from '../runtime.js';
import { databaseSettings } from '../settings.js';
import type { Runtime } from '../runtime.js';
import { version } from '../version.js';

export interface SyncFlags {
  account?: number;
  all?: boolean;
  due?: boolean;
  scaCode?: string;
  overlapDays?: number;
  concurrency?: number;
}

/** argv → the target the engine syncs; pinned by test/cli/parse.test.ts. */
export function syncTarget(connection: number | undefined, o: SyncFlags): SyncTarget {
  const chosen = [connection !== undefined, o.account !== undefined, !!o.all].filter(Boolean).length;
  if (chosen > 1) throw badInput('give one of <connection>, --account or --all');
  if (o.due && connection === undefined && o.account === undefined) return { kind: 'all', due: true };
  if (o.due) throw badInput('--due goes with --all');
  if (connection !== undefined) return { kind: 'connection', connectionId: connection };
  if (o.account !== undefined) return { kind: 'account', accountId: o.account };
  return { kind: 'all', due: false };
}

export function registerSync(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('sync')
    .description('fetch new transactions: one connection, one account, or all (--due: only what is due)')
    .argument('[connection]', 'connection id, e.g. c1', parseConnectionRef)
    .option('--account <id>', 'only this account, e.g. a2', parseAccountRef)
    .option('--all', 'every enabled account (the default)')
    .option('--due', 'with --all: only accounts whose sync interval has passed (for cron)')
    .option('--sca-code <code>', 'SCA/MFA code for institutions that need one on every fetch')
    .option('--overlap-days <n>', 're-fetch this many days before the last booking (default 7)', parseNonNegativeInt)
    .option('--concurrency <n>', "requests in flight at once per provider (default: config concurrency, else the provider's own)", concurrency)
    .addHelpText(
      'after',
      '\nExamples:\n  $ banksync sync c1\n  $ banksync sync --account a3\n  $ banksync sync --all --due --quiet     # cron, twice a day\n  $ banksync sync --all --concurrency 16  # many connections, a provider that allows more',
    )
    .action(async (connection: number | undefined, o: SyncFlags, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const target = syncTarget(connection, o);
      const prefs = await readPreferences(rt.configDir);
      const settings = await databaseSettings(rt, ['lock-date', 'archive-days']);
      const opts: SyncOptions = {
        target,
        unattended: !rt.interactive,
        scaCode: o.scaCode,
        overlapDays: o.overlapDays ?? prefs['overlap-days'],
        globalLockDate: settings['lock-date'],
        ...(settings['archive-days'] !== undefined ? { archiveDays: Number(settings['archive-days']) } : {}),
        concurrency: o.concurrency ?? prefs.concurrency,
        consentWarnDays: prefs['consent-warn-days'],
      };
      const { sync } = await import('../../core/sync/engine.js');
      const startedAt = new Date().toISOString();
      let report: SyncReport;
      try {
        report = await sync(rt.services(), opts);
      } catch (err) {
        // A run that stopped as a whole (database unusable) is the first thing a person not watching must hear.
        await notify(rt, prefs, { version, startedAt, exitCode: exitCodeOf(toBanksyncError(err)), accounts: [], consentWarnings: [], error: toBanksyncError(err) });
        throw err;
      }
      const exitCode = exitCodeOfOutcome(report.outcome);
      rt.exitCode = exitCode;
      // A line refused at the boundary needs a person to look, also in cron: said once, when first seen.
      for (const r of report.accounts) for (const w of r.warnings ?? []) rt.out.warn(w);
      // Human mode shows everything on stdout; --quiet/--json keep stderr for what needs attention.
      if (rt.out.quiet || rt.out.json) for (const r of report.accounts) if (needsAttention(r)) rt.out.warn(line(r));
      // Every run until it is renewed, whatever the mode: cron mails stderr, and this is what it is for.
      for (const w of report.consentWarnings) rt.out.warn(consentLine(w));
      // The JSON document keeps its exit code (scripts read it); core only says how the run went.
      rt.out.result({ accounts: report.accounts, consentWarnings: report.consentWarnings, exitCode }, (v) => (rt.out.quiet ? '' : summary(v.accounts)));
      await notify(rt, prefs, { version, startedAt, exitCode, outcome: report.outcome, accounts: report.accounts, consentWarnings: report.consentWarnings, error: null });
    });
}

/**
 * `config notify-command`: only after an unattended run (nobody reads the terminal) that needs
 * someone. Its failure is one warning; the sync's exit code stays what the sync did.
 */
async function notify(
  rt: Runtime,
  prefs: Preferences,
  run: { version: string; startedAt: string; exitCode: number; outcome?: RunOutcome; accounts: AccountResult[]; consentWarnings: ConsentWarning[]; error: BanksyncError | null },
): Promise<void> {
  const command = prefs['notify-command'];
  if (!command || rt.interactive) return;
  const { needsNotify, notifyAccounts, runNotifyHook } = await import('../../core/notify-hook.js');
  if (!run.error && !needsNotify(run.accounts, run.consentWarnings, run.outcome ?? 'partial')) return;
  const summary: NotifySummary = {
    version: run.version,
    host: hostname(),
    db: rt.onPostgres ? rt.dbLabel : resolve(rt.dbPath),
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    exitCode: run.exitCode,
    accounts: notifyAccounts(run.accounts),
    consentWarnings: run.consentWarnings,
    error: run.error ? { code: run.error.code, message: run.error.message, hint: run.error.hint ?? null } : null,
  };
  const outcome = await runNotifyHook(command, summary, { env: rt.env });
  if (!outcome.ok) rt.out.warn(`notify-command failed: ${outcome.problem} (the sync itself is unaffected; change it with: banksync config notify-command 'CMD')`);
}

function consentLine(w: ConsentWarning): string {
  const when = w.expired ? `ended on ${localTime(w.consentExpiresAt)}` : `ends ${w.daysLeft === 0 ? 'within a day' : `in ${plural(w.daysLeft, 'day')}`} (${localTime(w.consentExpiresAt)})`;
  return `consent for ${w.connection} (${w.institution}) ${when}: renew it with ${w.command}`;
}

const needsAttention = (r: AccountResult) => r.result === 'failed' || r.result === 'busy' || (r.result === 'skipped' && r.code !== undefined);

function line(r: AccountResult): string {
  const ref = r.ref ? ` [ref ${r.ref}]` : '';
  return `${r.account} ${r.institution} · ${r.name}: ${r.result}: ${r.message ?? ''}${ref}${r.hint ? ` — ${r.hint}` : ''}`;
}

function summary(results: AccountResult[]): string {
  if (results.length === 0) return 'nothing to sync';
  const told = new Set<string>();
  return results.map((r) => `${accountLine(r)}${quotaLine(r, told)}`).join('\n');
}

/** Once per account or connection the limit counts: SimpleFIN's is shared by all a connection's accounts. */
function quotaLine(r: AccountResult, told: Set<string>): string {
  const q = r.quota;
  if (!q || told.has(q.of)) return '';
  told.add(q.of);
  return `\n       ${q.left} of ${plural(q.perDay, q.unit === 'refreshes' ? 'refresh' : 'request', q.unit)} left today for ${q.of} (the count starts again ${localTime(q.resetsAt)})`;
}

function accountLine(r: AccountResult): string {
  const head = `${r.account.padEnd(4)} ${`${r.institution} · ${r.name}`.padEnd(40)} ${r.result}`;
  if (r.result === 'synced') {
    const extra = [
      `${r.newCount} new`,
      r.updatedCount ? `${r.updatedCount} updated` : '',
      r.matchedCount ? `${r.matchedCount} already stored from another source` : '',
      r.pendingCount ? `${r.pendingCount} pending` : '',
      r.driftMinor ? `balance drift ${r.currency ? formatMinor(r.driftMinor, r.currency) : r.driftMinor}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    // A note (the provider's copy, not the bank's latest) goes on its own line.
    return `${head}: ${extra} (${r.window?.from} → ${r.window?.to})${r.message ? `\n       ${r.message}` : ''}`;
  }
  return `${head}: ${r.message ?? ''}${r.ref ? ` [ref ${r.ref}]` : ''}${r.hint ? `\n       ${r.hint}` : ''}`;
}
