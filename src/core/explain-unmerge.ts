import type { LineOrigin } from '../store/sqlite/line-origins.js';
import type { StoredLine, TransactionRow } from '../store/sqlite/transactions.js';
import type { TransactionType } from '../domain/model.js';
import { accountRef } from '../domain/model.js';
import { nowIso, type Services } from './context.js';
import { badInput, BanksyncError } from '../domain/errors.js';
import { observationKeys, UNMERGEABLE_RUNGS } from './explain-origins.js';
import { requireLine } from './explain.js';
import { textOf } from './line-match.js';
import { reanchor } from './balance-check.js';
import { formatMinor } from '../domain/money.js';
import { fingerprint, lineId } from './dedupe.js';

export interface UnmergeResult {
  account: string;
  /** The line the observation had been merged into; it stays as it was. */
  from: string;
  /** The observation's own line, new. */
  line: string;
  ref: string;
  source: string;
  record: string | null;
  rung: string;
}

/**
 * Undoes a fingerprint or text merge: the observation taken as line ID (a file line, or a line of
 * an account merged into this one) becomes a line of its own again, and the pair is remembered
 * as different, so no later import or `accounts merge` takes one for the other. One transaction.
 */
export async function unmergeLine(s: Services, id: string, o: { source?: string }): Promise<UnmergeResult> {
  const line = await requireLine(s, id);
  const merged = (await s.db.lineOrigins.of(id)).filter((x) => x.role === 'merged');
  const undoable = merged.filter((x) => UNMERGEABLE_RUNGS.has(x.rung) && x.observation !== null);
  if (undoable.length === 0) {
    if (merged.length === 0) throw badInput(`nothing was merged into ${id}`, `see \`banksync explain ${id}\``);
    throw badInput(`nothing on ${id} can be undone: what was merged into it matched by an exact id, or was merged before banksync kept its content`, `see \`banksync explain ${id}\``);
  }
  const refs = undoable.map((x) => x.ref).join('|');
  let pick: LineOrigin | undefined;
  if (o.source !== undefined) {
    pick = undoable.find((x) => x.ref === o.source) ?? (undoable.filter((x) => x.source === o.source).length === 1 ? undoable.find((x) => x.source === o.source) : undefined);
    if (!pick) throw badInput(`--source ${o.source} names no merge that can be undone on ${id}`, `choose one of ${refs} (see \`banksync explain ${id}\`)`);
  } else if (undoable.length === 1) {
    pick = undoable[0]!;
  } else {
    pick = await s.prompts.select(
      `${undoable.length} observations were merged into ${id}: which one becomes its own line again?`,
      undoable.map((x) => ({ name: describe(x, line.currency), value: x })),
      `--source ${refs}`,
    );
  }
  const chosen = pick;
  return s.db.write(() => separate(s, line, chosen));
}

function describe(o: LineOrigin, currency: string): string {
  const obs = o.observation as { bookingDate?: string; amountMinor?: number };
  const where = o.file ? `${o.file.name}${o.record ? ` ${o.record}` : ''}` : o.source;
  return `${o.ref}: ${where}, ${obs.bookingDate ?? '?'} ${obs.amountMinor !== undefined ? formatMinor(obs.amountMinor, currency) : '?'} "${textOf(o.observation as object).slice(0, 40)}" (${o.rung})`;
}

async function separate(s: Services, into: StoredLine, o: LineOrigin): Promise<UnmergeResult> {
  const now = nowIso(s);
  const row = await rowOf(s, into, o);
  if ((await s.db.transactions.write(row, now)) !== 'inserted') {
    throw new BanksyncError('INTERNAL', `unmerge could not store ${o.ref} as a line of its own (${row.id} exists)`);
  }
  const origins = s.db.lineOrigins;
  await origins.detach(o.rowId, row.id, into.id, now);
  for (const key of observationKeys(row.externalId, row.fingerprint)) await origins.refuse(into.id, key, now);
  await origins.decide(into.id, 'unmerged', { line: row.id, ref: o.ref, source: o.source, record: o.record }, now);
  await origins.decide(row.id, 'unmerged', { from: into.id }, now);
  // The finding `warnings --kind fuzzy-merge` listed for this pair no longer holds.
  await s.db.inputIssues.forget(into.accountId, 'fuzzy-merge', `${into.id}|${row.fingerprint}`);
  await reanchor(s.db, into.accountId);
  return { account: accountRef(into.accountId), from: into.id, line: row.id, ref: o.ref, source: o.source, record: o.record, rung: o.rung };
}

/** The row the observation would have been stored as, in the line's account. */
async function rowOf(s: Services, into: StoredLine, o: LineOrigin): Promise<TransactionRow> {
  const obs = o.observation as {
    bookingDate: string;
    valueDate?: string | null;
    amountMinor: number;
    currency?: string;
    payee?: string | null;
    memo?: string | null;
    type: TransactionType;
    counterpartyIban?: string | null;
    externalId?: string | null;
    formerId?: string;
    source?: string;
  };
  const accountId = into.accountId;
  const currency = obs.currency ?? into.currency;
  const fp = fingerprint({ date: obs.bookingDate, amountMinor: obs.amountMinor, currency, payee: obs.payee, memo: obs.memo });
  let externalId = obs.externalId ?? null;
  if (externalId !== null && (await s.db.transactions.hasExternalId(accountId, externalId))) externalId = null; // its id now names another line
  const ordinal = externalId !== null ? 0 : await s.db.accountMoves.nextOrdinal(accountId, fp);
  // A line an accounts merge deleted keeps its banksync id when it is free (targets may hold it).
  const formerFree = obs.formerId !== undefined && !(await s.db.transactions.byId(obs.formerId));
  return {
    id: formerFree ? obs.formerId! : lineId(accountId, externalId, fp, ordinal),
    accountId,
    externalId,
    fingerprint: fp,
    ordinal,
    bookingDate: obs.bookingDate,
    valueDate: obs.valueDate ?? null,
    amountMinor: obs.amountMinor,
    currency,
    payee: obs.payee ?? null,
    memo: obs.memo ?? null,
    type: obs.type ?? (obs.amountMinor < 0 ? 'debit' : 'credit'),
    counterpartyIban: obs.counterpartyIban ?? null,
    source: obs.source ?? o.source,
  };
}
