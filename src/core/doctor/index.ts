import type { Services } from '../context.js';
import { scheduleStatus } from '../schedule.js';
import { status } from '../status.js';
import type { KeySource } from '../../secrets/index.js';
import { isPostgresUrl } from '../../store/postgres/index.js';
import { LATEST_VERSION } from '../../store/sqlite/migrations/index.js';
import { consentChecks, failingChecks, gapChecks, warningsCheck } from './accounts.js';
import { checkDatabaseFile, diskCheck, schemaCheck } from './database.js';
import { providerChecks } from './providers.js';
import { keyCheck, secretsCheck } from './secrets.js';
import { archiveCheck } from './archive.js';
import { storedArchiveDays } from '../archive/retention.js';
import { fail, ok, warn, type Check, type DoctorFormat, type DoctorReport } from './types.js';

export type { Check, DoctorFormat, DoctorReport } from './types.js';

export interface DoctorOptions {
  dbPath: string;
  keySource: KeySource;
  env: NodeJS.ProcessEnv;
  consentWarnDays: number;
  /** PRAGMA integrity_check (every index against its table) instead of quick_check. */
  thorough: boolean;
  fmt: DoctorFormat;
  /** Opens the store as every command does; called only once the file passed its own checks. */
  services(): Services;
}

/**
 * Looks at everything a person would otherwise find out from a failed cron run: the database file,
 * the secret key and what it seals, each provider in use, consents, accounts that stopped syncing,
 * coverage gaps, recent line warnings, the schedule, disk space. Reads only: nothing is synced,
 * renewed or repaired (a schema upgrade aside, which any command on this banksync makes).
 */
export async function doctor(o: DoctorOptions): Promise<DoctorReport> {
  if (isPostgresUrl(o.dbPath)) return doctorOnPostgres(o);
  const file = checkDatabaseFile(o.dbPath, o.thorough);
  const checks: Check[] = [...file.checks];
  let unusable = file.unusable;
  let s: Services | undefined;
  if (file.usable) {
    try {
      s = o.services();
      checks.push(schemaCheck(file.version ?? 0, LATEST_VERSION));
    } catch (err) {
      unusable = true;
      checks.push(fail('schema', (err as Error).message, (err as { hint?: string }).hint ?? null));
    }
  }
  if (s) checks.push(...(await storeChecks(o, s)));
  else checks.push(keyCheck(o.keySource, 0, o.fmt));
  const disk = diskCheck(o.dbPath, o.fmt);
  if (disk) {
    checks.push(disk);
    if (disk.status === 'fail') unusable = true;
  }
  return { checks, ok: checks.every((c) => c.status === 'ok'), databaseUnusable: unusable };
}

/** The server keeps its own files whole: doctor asks it to answer and to hold this banksync's schema. */
async function doctorOnPostgres(o: DoctorOptions): Promise<DoctorReport> {
  let s: Services;
  try {
    s = o.services();
    await s.db.ensureIntact();
  } catch (err) {
    const checks = [fail('database', (err as Error).message, (err as { hint?: string }).hint ?? null), keyCheck(o.keySource, 0, o.fmt)];
    return { checks, ok: false, databaseUnusable: true };
  }
  const checks = [ok('database', `PostgreSQL at ${s.db.location} answers, at this banksync's schema`), ...(await storeChecks(o, s))];
  return { checks, ok: checks.every((c) => c.status === 'ok'), databaseUnusable: false };
}

/** What doctor checks through the store, whichever it is: secrets, providers, consents, failures, gaps, schedule. */
async function storeChecks(o: DoctorOptions, s: Services): Promise<Check[]> {
  const checks: Check[] = [];
  const sealed = await s.db.secrets.owners();
  checks.push(keyCheck(o.keySource, sealed.length, o.fmt), await secretsCheck(s.db, sealed, o.fmt));
  const report = await status(s, { consentWarnDays: o.consentWarnDays, archiveDays: await storedArchiveDays(s.db) });
  checks.push(...(await providerChecks(s)));
  checks.push(...consentChecks(report, o.consentWarnDays, o.fmt), ...(await failingChecks(s, report, o.fmt)), ...gapChecks(report, o.fmt), await warningsCheck(s, report, o.fmt));
  checks.push(archiveCheck(report.archive, o.fmt));
  checks.push(await scheduleCheck(o.env, s));
  return checks;
}

/** Unattended sync matters once some account syncs from a bank. */
async function scheduleCheck(env: NodeJS.ProcessEnv, s: Services): Promise<Check> {
  let st;
  try {
    st = await scheduleStatus(env);
  } catch (err) {
    return warn('schedule', `cannot tell whether unattended sync is scheduled: ${(err as Error).message}`, 'banksync schedule status');
  }
  if (st.installed) return ok('schedule', `unattended sync is scheduled${st.via ? ` with ${st.via}` : ''}${st.every ? ` every ${st.every}` : ''}: ${st.detail}`);
  const live = new Set((await s.db.connections.list()).filter((c) => c.status !== 'disconnected').map((c) => c.id));
  if (!(await s.db.accounts.list()).some((a) => a.enabled && a.connectionId !== null && live.has(a.connectionId))) {
    return ok('schedule', 'no unattended sync scheduled, and no account syncs from a bank yet');
  }
  return warn('schedule', 'unattended sync is not scheduled: accounts sync only when you run banksync sync', 'banksync schedule install');
}
