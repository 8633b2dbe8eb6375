import type { Command } from 'commander';
import { corruptionReport, status, type AccountStatus, type ConnectionStatusRow, type CorruptionReport, type StatusReport } from '../../core/status.js';
import { formatMinor } from '../../core/money.js';
import { CorruptDatabaseError, isCorruption } from '../../store/faults.js';
import { noteCorruption } from '../../store/integrity.js';
import type { Output } from '../output.js';
import type { RuntimeOf } from '../program.js';

export function registerStatus(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('status')
    .description('connections and accounts: sync state, last sync and what it brought, consent, errors')
    .addHelpText('after', '\nExamples:\n  $ banksync status\n  $ banksync status --json | jq ".connections[].accounts[].state"')
    .action((_o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      let report: StatusReport;
      try {
        report = status(rt.services());
      } catch (err) {
        const corrupt = err instanceof CorruptDatabaseError ? err : isCorruption(err) ? new CorruptDatabaseError(rt.dbPath, (err as Error).message, err) : undefined;
        if (!corrupt) throw err;
        if (!(err instanceof CorruptDatabaseError)) noteCorruption(rt.dbPath, corrupt.problem);
        // Exit 7 like any command on this file, with the way back instead of one line.
        const database = corruptionReport(corrupt);
        rt.exitCode = corrupt.exitCode;
        rt.out.error(corrupt, rt.env.BANKSYNC_DEBUG === '1', { database });
        if (!rt.out.json) rt.out.result(database, (v) => renderCorruption(v));
        return;
      }
      rt.out.result(report, (v) =>
        v.connections.length === 0
          ? 'no connections yet: run `banksync connect` (or `banksync demo` to try the sandbox)'
          : v.connections.map((c) => renderConnection(rt.out, c)).join('\n\n'),
      );
    });
}

function renderCorruption(d: CorruptionReport): string {
  const lines = [`database ${d.path}: CORRUPT`, `  SQLite: ${d.problem}`, '  nothing was written to it; sync refuses to write into it until it is replaced'];
  if (d.backups.length) {
    lines.push('  backups kept before schema upgrades (newest first):');
    for (const b of d.backups) lines.push(`    ${b.path}  ${b.createdAt.slice(0, 16).replace('T', ' ')}Z  schema ${b.schemaVersion}`);
  } else {
    lines.push('  no backup copies beside it (migrations keep one before each schema upgrade)');
  }
  lines.push('  to recover:', ...d.steps.map((step, i) => `    ${i + 1}. ${step}`));
  return lines.join('\n');
}

function renderConnection(out: Output, c: ConnectionStatusRow): string {
  const { c: color } = out;
  let consent = '';
  if (c.consentDaysLeft !== null) {
    consent = c.consentDaysLeft < 0 ? color.red(`consent expired ${c.consentExpiresAt?.slice(0, 10)}`) : `consent ${c.consentDaysLeft} days left`;
    if (c.consentWarning && c.consentDaysLeft >= 0) consent = color.yellow(`${consent} — renew: banksync update-credentials ${c.id}`);
    else if (c.consentDaysLeft < 0) consent += ` — renew: banksync update-credentials ${c.id}`;
  }
  const state = c.status === 'active' ? '' : color.red(` [${c.status.replace('_', ' ')}${c.detail ? `: ${c.detail}` : ''}]`);
  const requests = c.requestsToday ? ` · ${c.requestsToday} request(s) today` : '';
  const head = `${color.bold(c.id)} ${c.institution} via ${c.provider}${state}${consent ? ` · ${consent}` : ''}${requests}`;
  return [head, ...c.accounts.map((a) => renderAccount(out, a))].join('\n');
}

function renderAccount(out: Output, a: AccountStatus): string {
  const { c: color } = out;
  const stateColor = a.state === 'synced' ? color.green : a.state === 'failed' ? color.red : a.state === 'skipped' ? color.yellow : color.dim;
  const when = a.lastSuccessAt ? `last synced ${a.lastSuccessAt.slice(0, 16).replace('T', ' ')}Z (+${a.lastNewCount ?? 0} new)` : 'never synced';
  const lines = [
    `  ${a.id.padEnd(4)} ${a.name.padEnd(20)} ${a.currency}  ${stateColor(a.state.replace('_', ' ').padEnd(10))} ${when}` +
      `${a.enabled ? (a.nextDueAt ? `, next due ${a.nextDueAt.slice(0, 16).replace('T', ' ')}Z` : '') : ', sync off'}`,
  ];
  const facts = [
    `${a.transactions} transactions`,
    a.pendingCount ? `${a.pendingCount} pending` : '',
    a.balance ? `balance ${formatMinor(a.balance.providerMinor, a.currency)} on ${a.balance.date}` : '',
    a.historyDays ? `history limit ${a.historyDays} days` : '',
    a.lockDate ? `lock date ${a.lockDate}` : '',
    a.statementPeriod !== 'month' ? `statements per ${a.statementPeriod}` : '',
  ].filter(Boolean);
  lines.push(`       ${facts.join(' · ')}`);
  if (a.balance?.driftMinor) lines.push(color.yellow(`       balance drift ${formatMinor(a.balance.driftMinor, a.currency)}: the provider's balance differs from the sum of stored lines`));
  if (a.gaps.length) lines.push(color.yellow(`       gaps never fetched: ${a.gaps.map((g) => `${g.from}…${g.to}`).join(', ')}`));
  if (a.inputWarnings.count) {
    lines.push(color.yellow(`       ${a.inputWarnings.count} line warning(s), latest: ${a.inputWarnings.latest} — see banksync warnings --account ${a.id}`));
  }
  if (a.nextRefreshAt) lines.push(`       next refresh possible at ${a.nextRefreshAt}`);
  if (a.detail && a.state !== 'synced') lines.push(`       ${a.detail}`);
  if (a.lastError && a.state !== 'synced') lines.push(`       last error ${a.lastError.code} [ref ${a.lastError.ref}]`);
  return lines.join('\n');
}
