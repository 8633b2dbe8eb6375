import type { Services } from '../context.js';
import { accountRef, connectionRef, type Connection } from '../../domain/model.js';
import type { StatusReport } from '../status.js';
import { fail, ok, warn, type Check, type DoctorFormat } from './types.js';

const DAY_MS = 86_400_000;
/** Line warnings newer than this make doctor speak up; older ones were seen before and stay listed. */
export const RECENT_WARNING_DAYS = 7;

const renew = (id: string) => `banksync update-credentials ${id}`;

/** Connections whose consent has ended or ends within consent-warn-days, or that wait for a person. */
export function consentChecks(report: StatusReport, warnDays: number, fmt: DoctorFormat): Check[] {
  const live = report.connections.filter((c) => c.status !== 'disconnected');
  const out: Check[] = [];
  for (const c of live) {
    const who = `${c.id} ${c.institution} (${c.provider})`;
    if (c.consentDaysLeft !== null && c.consentDaysLeft < 0) {
      out.push(fail(`consent:${c.id}`, `${who}: consent ended ${fmt.time(c.consentExpiresAt!)}; its accounts no longer sync`, renew(c.id)));
    } else if (c.consentWarning) {
      out.push(warn(`consent:${c.id}`, `${who}: consent ends in ${fmt.plural(c.consentDaysLeft!, 'day')}, ${fmt.time(c.consentExpiresAt!)}`, renew(c.id)));
    } else if (c.status === 'needs_human') {
      out.push(fail(`consent:${c.id}`, `${who} needs you${c.detail ? `: ${c.detail}` : ''}`, renew(c.id)));
    }
  }
  if (out.length) return out;
  const dated = live.filter((c) => c.consentDaysLeft !== null).length;
  return [
    ok(
      'consents',
      live.length === 0
        ? 'no connections'
        : `${fmt.plural(live.length, 'connection')}: no consent ends within ${fmt.plural(warnDays, 'day')}${dated < live.length ? ` (${live.length - dated} without an end date)` : ''}`,
    ),
  ];
}

/**
 * Accounts that should sync and have not for two of their intervals (at least a day): enabled,
 * on a connection that is not disconnected. Never synced counts from when the account was added.
 */
export async function failingChecks(s: Services, report: StatusReport, fmt: DoctorFormat): Promise<Check[]> {
  const now = Date.parse(report.now);
  const connections = new Map<number, Connection>((await s.db.connections.list()).map((c) => [c.id, c]));
  const out: Check[] = [];
  let watched = 0;
  for (const a of await s.db.accounts.list()) {
    const conn = a.connectionId === null ? undefined : connections.get(a.connectionId);
    if (!conn || conn.status === 'disconnected' || !a.enabled) continue;
    watched++;
    const since = a.lastSuccessAt ?? a.createdAt;
    const allowedMs = Math.max(2 * a.syncIntervalHours * 3_600_000, DAY_MS);
    if (now - Date.parse(since) <= allowedMs) continue;
    const days = Math.floor((now - Date.parse(since)) / DAY_MS);
    const ref = accountRef(a.id);
    const last = a.lastSuccessAt ? `last synced ${fmt.time(a.lastSuccessAt)}` : `never synced since it was added ${fmt.time(a.createdAt)}`;
    const error = a.lastErrorCode ? `; last error ${a.lastErrorCode}${a.lastErrorRef ? ` [ref ${a.lastErrorRef}]` : ''}` : '';
    const consentOver = conn.status === 'needs_human' || (conn.consentExpiresAt !== null && Date.parse(conn.consentExpiresAt) < now);
    const hint = consentOver
      ? renew(connectionRef(conn.id))
      : a.lastErrorCode === 'SCA_REQUIRED'
        ? `the bank asks for a code on each fetch: banksync sync ${ref} on a terminal, or banksync accounts disable ${ref} to stop expecting it`
        : a.lastErrorCode
          ? `banksync sync ${ref} shows what fails (banksync status has the detail)`
          : `banksync sync ${ref}; if that works, nothing runs the sync unattended: banksync schedule install`;
    out.push(fail(`account:${ref}`, `${ref} ${a.name} at ${conn.institutionName}: ${last}, ${fmt.plural(days, 'day')} ago (every ${a.syncIntervalHours}h expected)${error}`, hint));
  }
  if (out.length) return out;
  return [ok('accounts', watched === 0 ? 'no accounts that sync from a bank' : `${fmt.plural(watched, 'account')} synced within ${watched === 1 ? 'its' : 'their'} interval`)];
}

/** Date ranges between fetched ones that were never fetched: lines booked then may be missing. */
export function gapChecks(report: StatusReport, fmt: DoctorFormat): Check[] {
  const out: Check[] = [];
  for (const c of report.connections) {
    for (const a of c.accounts) {
      if (a.gaps.length === 0) continue;
      const ranges = a.gaps.map((g) => (g.from === g.to ? g.from : `${g.from}…${g.to}`)).join(', ');
      out.push(
        warn(
          `gaps:${a.id}`,
          `${a.id} ${a.name}: ${fmt.plural(a.gaps.length, 'date range')} never fetched (${ranges})`,
          `lines booked then may be missing: import a statement of those dates with banksync import FILE --account ${a.id}`,
        ),
      );
    }
  }
  return out.length ? out : [ok('coverage', 'no gaps between the date ranges fetched')];
}

/** Line warnings (`banksync warnings`): recent ones need a look, old ones are only counted. */
export async function warningsCheck(s: Services, report: StatusReport, fmt: DoctorFormat): Promise<Check> {
  const all = (await s.db.inputIssues.list()).filter((i) => i.severity === 'warning');
  if (all.length === 0) return ok('warnings', 'no line warnings');
  const since = new Date(Date.parse(report.now) - RECENT_WARNING_DAYS * DAY_MS).toISOString();
  const recent = all.filter((i) => i.lastSeenAt >= since);
  if (recent.length === 0) return ok('warnings', `${fmt.plural(all.length, 'line warning')}, none in the last ${RECENT_WARNING_DAYS} days (banksync warnings lists them)`);
  const accounts = [...new Set(recent.map((i) => accountRef(i.accountId)))];
  return warn(
    'warnings',
    `${fmt.plural(recent.length, 'line warning')} in the last ${RECENT_WARNING_DAYS} days on ${accounts.join(', ')} (${all.length} in all)`,
    `banksync warnings${accounts.length === 1 ? ` --account ${accounts[0]}` : ''} shows each line and why`,
  );
}
