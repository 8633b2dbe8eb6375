import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider, RequestInput, SessionHandle } from '../../providers/types.js';
import { registerSecret } from '../../secrets/index.js';
import { isStorageFault } from '../../store/sqlite/faults.js';
import type { Services } from '../context.js';
import { BanksyncError, toBanksyncError } from '../../domain/errors.js';
import { connectionRef, type Account, type Connection } from '../../domain/model.js';
import { fetchedAccount } from './account-sync.js';
import type { ConnectionBudget } from './budget.js';
import { deferAccount, outcomeOfError, type AccountResult } from './outcomes.js';
import { askPerson, eachOf, withBudget, type RunState, type SyncOptions } from './run-context.js';

/** A refresh still running at the provider is polled for at most this long (real time). */
export const REFRESH_WAIT_MS = 120_000;
/** Poll interval when a pending refresh names none, and the bounds put on one it names. */
const REFRESH_POLL_MS = 2_000;
const REFRESH_POLL_MIN_MS = 250;
const REFRESH_POLL_MAX_MS = 15_000;

/**
 * Asks the provider to refresh the connection from the bank before any account is fetched
 * (Provider.refreshConnection), once per connection per sync. 'done': fetch. 'pending': asked
 * again after pollAfterMs, for at most refreshWaitMs in all, then what the provider holds is
 * fetched with a note. 'deferred': fetched from the provider's copy with a note when fetchCached,
 * else every account is deferred to nextPossibleAt (exit 0). An error is taken as a fetch error
 * of every account of the connection (needs a human: skipped; rate limit: deferred; else failed).
 */
export async function refreshFirst(
  s: Services,
  run: RunState,
  provider: Provider,
  session: SessionHandle,
  c: Connection,
  accounts: Account[],
  budget: ConnectionBudget | undefined,
  opts: SyncOptions,
): Promise<{ note?: string } | { results: AccountResult[] }> {
  const requestInput = inputAsker(s, run, c, opts);
  const listed = accounts.map(fetchedAccount);
  const waitMs = opts.refreshWaitMs ?? REFRESH_WAIT_MS;
  // Real time, not the (pinnable) clock: how long a person or a cron job waits for the bank.
  const started = Date.now();
  try {
    for (;;) {
      const outcome = await withBudget(budget, () => provider.refreshConnection!(session, { requestInput, accounts: listed, ...(budget ? { budget } : {}) }));
      if (outcome.status === 'done') return {};
      if (outcome.status === 'deferred') {
        if (outcome.fetchCached) return { note: `${provider.displayName} did not refresh from ${c.institutionName} now (${outcome.message}): synced what it already holds` };
        const next = outcome.nextPossibleAt ?? null;
        const message = `${outcome.message}${next ? `; next refresh possible at ${next}` : ''}`;
        return { results: await eachOf(accounts, (a) => deferAccount(s, a, c, next, message)) };
      }
      const pause = Math.min(REFRESH_POLL_MAX_MS, Math.max(REFRESH_POLL_MIN_MS, outcome.pollAfterMs ?? REFRESH_POLL_MS));
      const waited = Date.now() - started;
      if (waited + pause > waitMs) {
        return {
          note: `${c.institutionName} was still refreshing at ${provider.displayName} after ${Math.round(waited / 1000)} s: synced what ${provider.displayName} holds now (the next sync gets the rest)`,
        };
      }
      run.progress.update(`${connectionRef(c.id)}: ${c.institutionName} is refreshing at ${provider.displayName} (${Math.round(waited / 1000)} s)…`);
      await sleep(pause);
    }
  } catch (err) {
    if (isStorageFault(err)) throw err;
    const e = toBanksyncError(err);
    const nowIso = s.clock().toISOString();
    return { results: await eachOf(accounts, (a) => outcomeOfError(s, a, c, e, nowIso)) };
  }
}

/**
 * RequestInput for one connection: at a terminal, one question at a time across connections
 * (spinner stopped, masked when secret); unattended, a needs-a-human SCA_REQUIRED that skips the
 * connection's accounts with the command to run by hand.
 */
function inputAsker(s: Services, run: RunState, c: Connection, opts: SyncOptions): RequestInput {
  return async (question) => {
    if (opts.unattended || !s.prompts.interactive) {
      throw new BanksyncError('SCA_REQUIRED', `${c.institutionName} asks for ${question.label} during its refresh, so it cannot sync unattended`, {
        hint: `sync it by hand at a terminal: banksync sync ${connectionRef(c.id)}`,
      });
    }
    const answer = await askPerson(s, run, () =>
      s.prompts.input(`${c.institutionName} (${connectionRef(c.id)}) asks: ${question.label}`, `a terminal: banksync sync ${connectionRef(c.id)}`, { secret: question.secret }),
    );
    // A one-time code or an answer to a security question: never shown in any output.
    if (question.secret && answer) registerSecret(answer);
    return answer;
  };
}
