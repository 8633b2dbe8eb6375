import type { MovableLine } from '../store/sqlite/account-moves.js';
import type { ExportScope, ExportTarget } from '../store/sqlite/exports.js';
import type { StoredCandidate } from '../store/sqlite/transactions.js';
import { confirmByTyping, connectionLeft, counted, holdAccounts, refuseWhileSyncing, retarget, type TargetChange } from './account-edit.js';
import { requireAccount } from './accounts.js';
import { backupBeside, copyPromise } from './backup.js';
import { nowIso, type Services } from './context.js';
import { badInput } from '../domain/errors.js';
import { textMatch, textOf } from './line-match.js';
import { reanchor } from './balance-check.js';
import { noteAccountMerge, notRefused } from './explain-origins.js';
import type { Rung } from '../store/sqlite/line-origins.js';
import { accountRef, type Account } from '../domain/model.js';
import { formatMinor } from '../domain/money.js';

export interface MergeResult {
  from: string;
  into: string;
  /** Lines of FROM that INTO lacked: now INTO's. */
  moved: number;
  /** Lines INTO already held (same provider or file id, same fingerprint): not duplicated. */
  duplicates: number;
  /** Of those, lines taken as INTO's by their text (listed by `warnings --kind fuzzy-merge`). */
  matchedByText: number;
  /** The copy kept first; null on PostgreSQL (none). */
  backup: string | null;
  targets: TargetChange[];
  /** FROM's connection, and how many accounts it has left. */
  connection: { id: string; accountsLeft: number } | null;
}

/**
 * Moves FROM's lines into INTO under the dedupe rules of sync and import (a line INTO already
 * holds is not added twice), keeps one history (coverage joined, balances INTO lacks, pending
 * lines and findings), then deletes FROM: all in one transaction, after a backup copy.
 *
 * Export targets: a moved line keeps its banksync id and gets a new place in the export order,
 * so an incremental target that never received it (it listed INTO only) gets it on its next
 * run; a target that received it under FROM is marked as having it, so it is not sent twice.
 */
export async function mergeAccounts(s: Services, fromId: number, intoId: number, o: { yes?: boolean }): Promise<MergeResult> {
  if (fromId === intoId) throw badInput('an account cannot be merged into itself');
  const from = await requireAccount(s, fromId);
  const into = await requireAccount(s, intoId);
  if (from.currency !== into.currency) throw badInput(`${accountRef(from.id)} is in ${from.currency}, ${accountRef(into.id)} in ${into.currency}: only accounts in one currency can be merged`);
  await refuseWhileSyncing(s, [from.id, into.id]);
  const n = await s.db.transactions.count(from.id);
  await confirmByTyping(
    s,
    o.yes,
    accountRef(from.id),
    `This moves ${counted(n, 'transaction')} of ${accountRef(from.id)} (${from.name}) into ${accountRef(into.id)} (${into.name}) and deletes ${accountRef(from.id)}; ${copyPromise(s.db)}`,
  );
  const backup = await backupBeside(s.db, `merge-${accountRef(from.id)}-into-${accountRef(into.id)}`);
  return s.db.write(async () => {
    await holdAccounts(s, [from.id, into.id]);
    const result = await moveLines(s, from, into);
    const targets = await retarget(s, from.id, into.id);
    await s.db.accountMoves.forgetAccount(from.id);
    await s.db.accounts.delete(from.id);
    await reanchor(s.db, into.id);
    await s.db.locks.release(into.id);
    return { from: accountRef(from.id), into: accountRef(into.id), ...result, backup: backup?.path ?? null, targets, connection: await connectionLeft(s, from) };
  });
}

async function moveLines(s: Services, from: Account, into: Account): Promise<Pick<MergeResult, 'moved' | 'duplicates' | 'matchedByText'>> {
  const moves = s.db.accountMoves;
  const now = nowIso(s);
  const targets: { t: ExportTarget; covers: Set<number> }[] = [];
  for (const t of await s.db.exports.targets()) targets.push({ t, covers: await coveredAccounts(s, t.scope) });
  const received = (line: MovableLine, accountId: number) => targets.filter(({ t, covers }) => covers.has(accountId) && line.seq <= t.lastSeq && inRange(t.scope, line.bookingDate)).map(({ t }) => t);
  // A target that listed FROM but not INTO lists INTO from now on: INTO's own lines are new to it.
  const intoIsNewTo = targets.some(({ t, covers }) => t.scope.accountIds?.length && covers.has(from.id) && !covers.has(into.id));
  const intoLines = intoIsNewTo ? await moves.lines(into.id) : [];
  const claimed = new Set<string>();
  const refused = await s.db.lineOrigins.refusals(into.id);
  const r = { moved: 0, duplicates: 0, matchedByText: 0 };
  for (const line of await moves.lines(from.id)) {
    const match = await sameLine(s, into, line, claimed, refused);
    if (match) {
      claimed.add(match.id);
      await noteAccountMerge(s, line, match, now);
      await moves.deleteLine(line.id, match.id);
      r.duplicates++;
      if (match.why) {
        r.matchedByText++;
        await s.db.inputIssues.record(
          {
            accountId: into.id,
            kind: 'fuzzy-merge',
            key: `${match.id}|${line.fingerprint}`,
            severity: 'info',
            source: line.source,
            message: `${line.bookingDate} ${formatMinor(line.amountMinor, into.currency)} "${textOf(line).slice(0, 60)}" of ${accountRef(from.id)} taken as ${match.id} by accounts merge: ${match.why}`,
            detail: { line: line.id, matched: match.id, why: match.why },
          },
          now,
        );
      }
      continue;
    }
    const sentTo = received(line, from.id);
    await moves.moveLine(line.seq, into.id, line.externalId !== null ? 0 : await moves.nextOrdinal(into.id, line.fingerprint));
    for (const t of sentTo) await moves.markSent(t.id, line.id);
    claimed.add(line.id);
    r.moved++;
  }
  for (const line of intoLines) {
    const sentTo = received(line, into.id);
    await moves.renumber(line.seq);
    for (const t of sentTo) await moves.markSent(t.id, line.id);
  }
  for (const range of await s.db.syncState.coverage(from.id)) await s.db.syncState.addCoverage(into.id, range);
  await moves.moveSideRows(from.id, into.id);
  return r;
}

/**
 * The line INTO already holds for one of FROM's, by the ladder import and sync use: the same
 * provider (or file) id; the same date, amount and text fingerprint; or, from another kind of
 * source, the same date and amount with text that mostly agrees. Each of INTO's lines matches once.
 */
async function sameLine(
  s: Services,
  into: Account,
  line: MovableLine,
  claimed: Set<string>,
  refused: Set<string>,
): Promise<{ id: string; rung: Rung; why?: string; candidates: StoredCandidate[] } | undefined> {
  if (line.externalId !== null) {
    const id = await s.db.accountMoves.idOfExternal(into.id, line.externalId);
    if (id) return { id, rung: 'accounts-merge-id', candidates: [] };
  }
  if (line.removed) return undefined;
  // Pairs a person kept apart with `unmerge` are never matched again.
  const candidates = notRefused(
    (await s.db.transactions.sameDateAndAmount(into.id, line.bookingDate, line.amountMinor)).filter((c) => !claimed.has(c.id)),
    refused,
    line.externalId,
    line.fingerprint,
  );
  const exact = candidates.find((c) => c.fingerprint === line.fingerprint);
  if (exact) return { id: exact.id, rung: 'accounts-merge-fingerprint', candidates };
  const fuzzy = textMatch(
    line,
    null,
    candidates.filter((c) => sourceKind(c) !== sourceKind(line)),
  );
  return fuzzy && { id: fuzzy.candidate.id, rung: 'accounts-merge-text', why: fuzzy.why, candidates };
}

/** A provider, or a file format: lines of one kind that differ in id or text are different lines. */
const sourceKind = (l: Pick<StoredCandidate, 'source' | 'externalId'>) => (l.source.startsWith('file:') ? `file:${l.externalId?.split(':')[0] ?? ''}` : l.source);

/** The accounts an export target's filters cover (as export resolves them), read before anything moves. */
async function coveredAccounts(s: Services, scope: ExportScope): Promise<Set<number>> {
  if (scope.accountIds?.length) return new Set(scope.accountIds);
  if (scope.connectionId !== undefined) return new Set((await s.db.accounts.byConnection(scope.connectionId)).map((a) => a.id));
  return new Set((await s.db.accounts.list()).map((a) => a.id));
}

const inRange = (scope: ExportTarget['scope'], date: string) => (!scope.from || date >= scope.from) && (!scope.to || date <= scope.to);
