import { exitCodeOf } from '../exit-codes.js';
import type { Command } from 'commander';
import { corruptionReport, status, type AccountStatus, type ArchiveStatus, type ConnectionStatusRow, type CorruptionReport, type StatusReport } from '../../core/status.js';
import { formatMinor } from '../../domain/money.js';
import { CorruptDatabaseError, isCorruption } from '../../store/sqlite/faults.js';
import { noteCorruption } from '../../store/sqlite/integrity.js';
import { localTime, plural } from '../format.js';
import type { Output } from '../output.js';
import { readPreferences } from '../preferences.js';
import type { RuntimeOf } from '../runtime.js';
import { databaseSettings } from '../settings.js';

export function registerStatus(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('status')
    .description('connections and accounts: sync state, last sync and what it brought, consent, errors; with --quiet only what needs attention')
    .addHelpText(
      'after',
      '\nExamples:\n  $ banksync status\n  $ banksync status --quiet                # only what needs attention; nothing when all is well\n  $ banksync status --json | jq ".connections[].accounts[].state"',
    )
    .action(async (_o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const prefs = await readPreferences(rt.configDir);
      let report: StatusReport;
      try {
        const archiveDays = (await databaseSettings(rt, ['archive-days']))['archive-days'];
        report = await status(rt.services(), { consentWarnDays: prefs['consent-warn-days'], ...(archiveDays !== undefined ? { archiveDays: Number(archiveDays) } : {}) });
      } catch (err) {
        const corrupt = err instanceof CorruptDatabaseError ? err : isCorruption(err) ? new CorruptDatabaseError(rt.dbPath, (err as Error).message, err) : undefined;
        if (!corrupt) throw err;
        if (!(err instanceof CorruptDatabaseError)) noteCorruption(rt.dbPath, corrupt.problem);
        // Exit 7 like any command on this file, with the way back instead of one line.
        const database = corruptionReport(corrupt);
        rt.exitCode = exitCodeOf(corrupt);
        rt.out.error(corrupt, rt.env.BANKSYNC_DEBUG === '1', { database });
        if (!rt.out.json) rt.out.result(database, (v) => renderCorruption(v));
        return;
      }
      rt.out.result(report, (v) => {
        if (rt.out.quiet) return renderAttention(rt.out, v);
        if (v.connections.length === 0 && v.files.length === 0) return 'no connections yet: run `banksync connect` (or `banksync demo` to try the sandbox)';
        return [...v.connections.map((c) => renderConnection(rt.out, c)), ...(v.files.length ? [renderFiles(rt.out, v.files)] : []), renderArchive(rt.out, v.archive)].join('\n\n');
      });
    });
}

function renderCorruption(d: CorruptionReport): string {
  const lines = [`database ${d.path}: CORRUPT`, `  SQLite: ${d.problem}`, '  nothing was written to it; sync refuses to write into it until it is replaced'];
  if (d.backups.length) {
    lines.push('  backups kept before schema upgrades (newest first):');
    for (const b of d.backups) lines.push(`    ${b.path}  ${localTime(b.createdAt)}  schema ${b.schemaVersion}`);
  } else {
    lines.push('  no backup copies beside it (migrations keep one before each schema upgrade)');
  }
  lines.push('  to recover:', ...d.steps.map((step, i) => `    ${i + 1}. ${step}`));
  return lines.join('\n');
}

/** One line on the raw archive: how big, how far back, how long it keeps. */
export function renderArchive(out: Output, a: ArchiveStatus): string {
  const kept = a.days === 0 ? 'off (config archive-days 0)' : `keeps ${plural(a.days, 'day')}`;
  if (a.entries === 0) return out.c.dim(`raw archive: empty, ${kept}`);
  const since = a.oldest ? ` since ${localTime(a.oldest)}` : '';
  return out.c.dim(`raw archive: ${plural(a.entries, 'fetch', 'fetches')}${since}, ${bytes(a.storedBytes)} (${bytes(a.rawBytes)} before compression), ${kept}; banksync replay rebuilds from it`);
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}

const renew = (id: string) => `renew: banksync update-credentials ${id}`;

function renderConnection(out: Output, c: ConnectionStatusRow): string {
  const { c: color } = out;
  let consent = '';
  if (c.consentDaysLeft !== null) {
    consent = c.consentDaysLeft < 0 ? color.red(`consent expired ${localTime(c.consentExpiresAt)}`) : `consent ${plural(c.consentDaysLeft, 'day')} left`;
    if (c.consentWarning && c.consentDaysLeft >= 0) consent = color.yellow(`${consent} (until ${localTime(c.consentExpiresAt)}) — ${renew(c.id)}`);
    else if (c.consentDaysLeft < 0) consent += ` — ${renew(c.id)}`;
  }
  // "disconnected by the user" says no more than [disconnected].
  const detail = c.detail && !(c.status === 'disconnected' && c.detail === 'disconnected by the user') ? `: ${c.detail}` : '';
  const state = c.status === 'active' ? '' : c.status === 'disconnected' ? color.dim(` [disconnected${detail}]`) : color.red(` [${c.status.replace('_', ' ')}${detail}]`);
  const requests = c.requestsToday ? ` · ${plural(c.requestsToday, 'request')} today` : '';
  const head = `${color.bold(c.id)} ${c.institution} via ${c.provider}${state}${consent ? ` · ${consent}` : ''}${requests}`;
  return [head, ...c.accounts.map((a) => renderAccount(out, a))].join('\n');
}

function renderFiles(out: Output, files: AccountStatus[]): string {
  return [`${out.c.bold('files')} imported statements (banksync import), not synced`, ...files.map((a) => renderAccount(out, a))].join('\n');
}

/** The state column: the last sync's outcome for an account its bank syncs, else where its lines come from. */
function stateOf(out: Output, a: AccountStatus): string {
  const { c: color } = out;
  const width = 11;
  if (a.sync === 'file') return color.dim('file'.padEnd(width));
  if (a.sync === 'not_syncing') return color.dim('not syncing'.padEnd(width));
  const paint = a.state === 'synced' ? color.green : a.state === 'failed' ? color.red : a.state === 'skipped' ? color.yellow : color.dim;
  return paint(a.state.replace('_', ' ').padEnd(width));
}

function renderAccount(out: Output, a: AccountStatus): string {
  const { c: color } = out;
  const last = a.lastSuccessAt ? `last synced ${localTime(a.lastSuccessAt)}` : '';
  const when =
    a.sync === 'file'
      ? ''
      : a.sync === 'not_syncing'
        ? last
          ? `${last} (connection disconnected)`
          : 'connection disconnected'
        : `${a.lastSuccessAt ? `${last} (+${a.lastNewCount ?? 0} new)` : 'never synced'}${a.enabled ? (a.nextDueAt ? `, next due ${localTime(a.nextDueAt)}` : '') : ', sync off'}`;
  const lines = [`  ${a.id.padEnd(4)} ${a.name.padEnd(20)} ${a.currency}  ${stateOf(out, a)} ${when}`.trimEnd()];
  const facts = [
    plural(a.transactions, 'transaction'),
    a.pendingCount ? `${a.pendingCount} pending` : '',
    a.balance ? `balance ${formatMinor(a.balance.providerMinor, a.currency)} on ${a.balance.date}` : '',
    a.historyDays ? `history limit ${plural(a.historyDays, 'day')}` : '',
    a.lockDate ? `lock date ${a.lockDate}` : '',
    a.statementPeriod !== 'month' ? `statements per ${a.statementPeriod}` : '',
  ].filter(Boolean);
  lines.push(`       ${facts.join(' · ')}`);
  if (a.balance?.driftMinor) lines.push(color.yellow(`       ${drift(a)}`));
  if (a.gaps.length) lines.push(color.yellow(`       ${gaps(a)}`));
  if (a.inputWarnings.count) lines.push(color.yellow(`       ${lineWarnings(a)}`));
  // A disconnected account's last sync problems are history: it is not asked any more.
  if (a.sync !== 'bank') return lines.join('\n');
  if (a.nextRefreshAt) lines.push(`       next refresh possible at ${localTime(a.nextRefreshAt)}`);
  if (a.detail && a.state !== 'synced') lines.push(`       ${a.detail}`);
  if (a.lastError && a.state !== 'synced') lines.push(`       last error ${a.lastError.code} [ref ${a.lastError.ref}]`);
  return lines.join('\n');
}

const drift = (a: AccountStatus) => `balance drift ${formatMinor(a.balance!.driftMinor!, a.currency)}: the provider's balance differs from the sum of stored lines`;
const gaps = (a: AccountStatus) => `gaps never fetched: ${a.gaps.map((g) => `${g.from}…${g.to}`).join(', ')}`;
const lineWarnings = (a: AccountStatus) => `${plural(a.inputWarnings.count, 'line warning')}, latest: ${a.inputWarnings.latest} — see banksync warnings --account ${a.id}`;

/** `status --quiet`: one line per thing that needs a person, nothing when all is well. */
function renderAttention(out: Output, v: StatusReport): string {
  const connections = new Map(v.connections.map((c) => [c.id, c]));
  const accounts = new Map<string, { a: AccountStatus; c?: ConnectionStatusRow }>([
    ...v.connections.flatMap((c) => c.accounts.map((a) => [a.id, { a, c }] as [string, { a: AccountStatus; c?: ConnectionStatusRow }])),
    ...v.files.map((a) => [a.id, { a }] as [string, { a: AccountStatus }]),
  ]);
  const { c: color } = out;
  return v.attention
    .map(({ id, kind }) => {
      const c = connections.get(id);
      if (c) {
        const head = `${id} ${c.institution} via ${c.provider}`;
        if (kind === 'consent_expired') return color.red(`${head}: consent expired ${localTime(c.consentExpiresAt)} — ${renew(id)}`);
        if (kind === 'consent_expiring') {
          const days = c.consentDaysLeft === 0 ? 'today' : `in ${plural(c.consentDaysLeft!, 'day')}`;
          return color.yellow(`${head}: consent ends ${days} (${localTime(c.consentExpiresAt)}) — ${renew(id)}`);
        }
        return color.red(`${head}: needs you${c.detail ? `: ${c.detail}` : ''} — ${renew(id)}`);
      }
      const { a, c: of } = accounts.get(id)!;
      const head = `${id} ${a.name}${of ? ` (${of.id})` : ''}`;
      if (kind === 'failed' || kind === 'skipped') {
        const error = a.lastError ? ` [ref ${a.lastError.ref}]` : '';
        return (kind === 'failed' ? color.red : color.yellow)(`${head}: ${kind}${a.detail ? `: ${a.detail}` : ''}${error}`);
      }
      return color.yellow(`${head}: ${kind === 'drift' ? drift(a) : kind === 'gaps' ? gaps(a) : lineWarnings(a)}`);
    })
    .join('\n');
}
