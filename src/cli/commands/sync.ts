import type { Command } from 'commander';
import { badInput } from '../../core/errors.js';
import type { AccountResult, SyncOptions } from '../../core/sync/engine.js';
import type { SyncTarget } from '../../core/sync/select.js';
import { parseAccountRef, parseConnectionRef, parseNonNegativeInt } from '../parse.js';
import { concurrency, readPreferences } from '../preferences.js';
import type { RuntimeOf } from '../program.js';
import { databaseSettings } from '../settings.js';

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
    .option('--concurrency <n>', 'requests in flight at once per provider (default: config concurrency, else the provider\'s own)', concurrency)
    .addHelpText('after', '\nExamples:\n  $ banksync sync c1\n  $ banksync sync --account a3\n  $ banksync sync --all --due --quiet     # cron, twice a day\n  $ banksync sync --all --concurrency 16  # many connections, a provider that allows more')
    .action(async (connection: number | undefined, o: SyncFlags, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const target = syncTarget(connection, o);
      const prefs = await readPreferences(rt.configDir);
      const opts: SyncOptions = {
        target,
        unattended: !rt.interactive,
        scaCode: o.scaCode,
        overlapDays: o.overlapDays ?? prefs['overlap-days'],
        globalLockDate: (await databaseSettings(rt, ['lock-date']))['lock-date'],
        concurrency: o.concurrency ?? prefs.concurrency,
      };
      const { sync } = await import('../../core/sync/engine.js');
      const report = await sync(rt.services(), opts);
      rt.exitCode = report.exitCode;
      // A line refused at the boundary needs a person to look, also in cron: said once, when first seen.
      for (const r of report.accounts) for (const w of r.warnings ?? []) rt.out.warn(w);
      // Human mode shows everything on stdout; --quiet/--json keep stderr for what needs attention.
      if (rt.out.quiet || rt.out.json) for (const r of report.accounts) if (needsAttention(r)) rt.out.warn(line(r));
      rt.out.result(report, (v) => (rt.out.quiet ? '' : summary(v.accounts)));
    });
}

const needsAttention = (r: AccountResult) => r.result === 'failed' || r.result === 'busy' || (r.result === 'skipped' && r.code !== undefined);

function line(r: AccountResult): string {
  const ref = r.ref ? ` [ref ${r.ref}]` : '';
  return `${r.account} ${r.institution} · ${r.name}: ${r.result}: ${r.message ?? ''}${ref}${r.hint ? ` — ${r.hint}` : ''}`;
}

function summary(results: AccountResult[]): string {
  if (results.length === 0) return 'nothing to sync';
  return results
    .map((r) => {
      const head = `${r.account.padEnd(4)} ${`${r.institution} · ${r.name}`.padEnd(40)} ${r.result}`;
      if (r.result === 'synced') {
        const extra = [`${r.newCount} new`, r.updatedCount ? `${r.updatedCount} updated` : '', r.pendingCount ? `${r.pendingCount} pending` : '', r.driftMinor ? `balance drift ${r.driftMinor}` : '']
          .filter(Boolean)
          .join(', ');
        // A note (the provider's copy, not the bank's latest) goes on its own line.
        return `${head}: ${extra} (${r.window?.from} → ${r.window?.to})${r.message ? `\n       ${r.message}` : ''}`;
      }
      return `${head}: ${r.message ?? ''}${r.ref ? ` [ref ${r.ref}]` : ''}${r.hint ? `\n       ${r.hint}` : ''}`;
    })
    .join('\n');
}
