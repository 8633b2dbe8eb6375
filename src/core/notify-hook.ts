import { spawn } from 'node:child_process';
import { redact } from '../secrets/index.js';
import type { ConsentWarning } from './sync/consent-warnings.js';
import type { AccountResult, RunOutcome } from './sync/outcomes.js';

/** A hook that hangs (a mail server that never answers) must not keep cron's sync alive for ever. */
export const NOTIFY_TIMEOUT_MS = 60_000;

/**
 * What `config notify-command` gets on its stdin after an unattended sync that needs someone:
 * one JSON document, fields documented in README ("Notify command"). Bank data stays out:
 * no amounts, no transactions, only what is wrong and what to run.
 */
export interface NotifySummary {
  version: string;
  host: string;
  db: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  /** Accounts that failed, need a person, or were skipped for a reason; empty when only consents warn. */
  accounts: { id: string; connection: string | null; institution: string; name: string; result: string; code: string | null; message: string | null; hint: string | null }[];
  consentWarnings: ConsentWarning[];
  /** When the whole run stopped (database unusable, internal error) before any account result. */
  error: { code: string; message: string; hint: string | null } | null;
}

/** Whether a finished run deserves the hook: all well (or only busy/deferred) stays quiet. */
export function needsNotify(accounts: AccountResult[], consentWarnings: ConsentWarning[], outcome: RunOutcome): boolean {
  return outcome === 'needs-human' || outcome === 'partial' || consentWarnings.length > 0 || accounts.some(needsAttention);
}

export const needsAttention = (r: AccountResult) => r.result === 'failed' || (r.result === 'skipped' && r.code !== undefined && r.code !== 'DISABLED');

export function notifyAccounts(accounts: AccountResult[]): NotifySummary['accounts'] {
  return accounts.filter(needsAttention).map((r) => ({
    id: r.account,
    connection: r.connection,
    institution: r.institution,
    name: r.name,
    result: r.result,
    code: r.code ?? null,
    message: r.message ?? null,
    hint: r.hint ?? null,
  }));
}

/**
 * The hook's environment: ours without banksync's own variables, which can carry the secret key
 * and provider credentials (BANKSYNC_SECRET_KEY, BANKSYNC_<PROVIDER>_<FIELD>); where the
 * database and config are stays.
 */
export function hookEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (!k.startsWith('BANKSYNC_') || k === 'BANKSYNC_DB' || k === 'BANKSYNC_CONFIG_DIR') out[k] = v;
  return out;
}

export interface HookOutcome {
  ok: boolean;
  /** Why it did not work, for one warning line. */
  problem?: string;
}

/**
 * Runs the user's command through /bin/sh with the summary on its stdin. Its output goes to our
 * stderr (cron mails it; it is never data). Failure is reported, never thrown: the hook must not
 * change what the sync itself did. The shell and its children are one process group, so a
 * timeout ends the whole pipeline, not only the shell.
 */
export function runNotifyHook(command: string, summary: NotifySummary, opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<HookOutcome> {
  const timeoutMs = opts.timeoutMs ?? NOTIFY_TIMEOUT_MS;
  // Secrets registered during the run (tokens, keys) never leave in the summary.
  const body = `${redact(JSON.stringify(summary, null, 2))}\n`;
  return new Promise((done) => {
    let child;
    try {
      child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 2, 2], env: hookEnv(opts.env ?? process.env), detached: true });
    } catch (err) {
      done({ ok: false, problem: `could not start /bin/sh: ${(err as Error).message}` });
      return;
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      done({ ok: false, problem: `could not start /bin/sh: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) done({ ok: false, problem: `it did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped` });
      else if (code === 0) done({ ok: true });
      // sh says 127 for a command it cannot find; its own message is already on stderr.
      else if (code === 127) done({ ok: false, problem: 'the command was not found (exit 127)' });
      else done({ ok: false, problem: signal ? `it was killed by ${signal}` : `it exited ${code}` });
    });
    // A hook that does not read its stdin (ntfy with a fixed message) closes the pipe early: not a failure.
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(body);
  });
}
