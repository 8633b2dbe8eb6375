import type { CandidateVerdict, LineDecision, LineOrigin } from '../store/sqlite/line-origins.js';
import type { StoredLine } from '../store/sqlite/transactions.js';
import type { StoredPending } from '../store/sqlite/pending.js';
import type { Services } from './context.js';
import { badInput, notFound } from '../domain/errors.js';
import { textOf } from './line-match.js';
import { accountRef } from '../domain/model.js';
import { formatMinor } from '../domain/money.js';
import { UNMERGEABLE_RUNGS } from './explain-origins.js';

/** Where a line came from, how dedupe decided about each observation of it, and what happened since. */
export interface Explanation {
  line: {
    id: string;
    account: string;
    date: string;
    valueDate: string | null;
    amount: string;
    amountMinor: number;
    currency: string;
    payee: string | null;
    memo: string | null;
    type: string;
    source: string;
    externalId: string | null;
    revision: number;
    removedAt: string | null;
    ignored: { at: string; reason: string | null } | null;
    firstSeenAt: string;
    updatedAt: string;
  };
  origin: OriginView;
  /** Other observations taken as this line instead of being stored (imports, accounts merge). */
  merged: (OriginView & { ref: string; undoable: boolean; date: string | null; amount: string | null; text: string | null })[];
  /** Other stored lines of the account with the same date and amount now (possible duplicates). */
  sameDateAndAmount: { id: string; source: string; text: string; ignored: boolean }[];
  pending: { date: string; amount: string; payee: string | null; status: string; why: string }[];
  /** Earlier versions (provider corrections, removals, ignore/unignore), oldest first, then the current one. */
  revisions: { revision: number; date: string; amount: string; payee: string | null; memo: string | null; until: string | null; changed: string[] }[];
  decisions: LineDecision[];
}

export interface OriginView {
  kind: 'provider' | 'file' | 'line';
  source: string;
  provider: string | null;
  rawId: string | null;
  file: { name: string; sha256: string | null; size: number | null; format: string | null } | null;
  record: string | null;
  rung: string;
  why: string;
  /** Stored lines compared with it; null when none were recorded. */
  candidates: CandidateVerdict[] | null;
  unmergedFrom: string | null;
  firstSeenAt: string | null;
  /** What banksync cannot say about it (lines stored before it recorded origins). */
  unknown: string[];
}

const ID = /^t[0-9a-f]{24}$/;

/** The stored line, or NOT_FOUND (exit 2) naming how to find ids. */
export async function requireLine(s: Services, id: string): Promise<StoredLine> {
  if (!ID.test(id)) throw badInput(`"${id}" is not a transaction id (t followed by 24 hex digits)`, 'find ids with `banksync transactions`');
  const line = await s.db.transactions.byId(id);
  if (!line) throw notFound(`no transaction ${id}`, 'find ids with `banksync transactions`');
  return line;
}

/** Read as one snapshot: the line, its origins and its history as they were at one moment. */
export async function explainLine(s: Services, id: string): Promise<Explanation> {
  return s.db.snapshot(() => explainStored(s, id));
}

async function explainStored(s: Services, id: string): Promise<Explanation> {
  const line = await requireLine(s, id);
  const origins = await s.db.lineOrigins.of(id);
  const stored = origins.find((o) => o.role === 'stored');
  const fmt = (m: number) => formatMinor(m, line.currency);
  return {
    line: {
      id,
      account: accountRef(line.accountId),
      date: line.bookingDate,
      valueDate: line.valueDate,
      amount: fmt(line.amountMinor),
      amountMinor: line.amountMinor,
      currency: line.currency,
      payee: line.payee,
      memo: line.memo,
      type: line.type,
      source: line.source,
      externalId: line.externalId,
      revision: line.revision,
      removedAt: line.removedAt,
      ignored: line.ignoredAt ? { at: line.ignoredAt, reason: line.ignoredReason } : null,
      firstSeenAt: line.firstSeenAt,
      updatedAt: line.updatedAt,
    },
    origin: stored ? recordedView(stored) : await derivedOrigin(s, line),
    merged: origins
      .filter((o) => o.role === 'merged')
      .map((o) => {
        const obs = o.observation as { bookingDate?: string; amountMinor?: number; payee?: string; memo?: string } | null;
        return {
          ...recordedView(o),
          ref: o.ref,
          undoable: UNMERGEABLE_RUNGS.has(o.rung) && obs !== null,
          date: obs?.bookingDate ?? null,
          amount: obs?.amountMinor !== undefined ? fmt(obs.amountMinor) : null,
          text: obs ? textOf(obs) : null,
        };
      }),
    sameDateAndAmount: await sameDateAndAmount(s, line),
    pending: (await s.db.pending.linkedTo(id)).map((p) => pendingView(p, line, fmt)),
    revisions: await revisions(s, line, fmt),
    decisions: await s.db.lineOrigins.decisions(id),
  };
}

/** Other stored lines of the account with the line's date and amount (a few: one lookup each for its ignore mark). */
async function sameDateAndAmount(s: Services, line: StoredLine): Promise<Explanation['sameDateAndAmount']> {
  const out: Explanation['sameDateAndAmount'] = [];
  for (const c of await s.db.transactions.sameDateAndAmount(line.accountId, line.bookingDate, line.amountMinor)) {
    if (c.id !== line.id) out.push({ id: c.id, source: c.source, text: textOf(c), ignored: (await s.db.transactions.byId(c.id))?.ignoredAt != null });
  }
  return out;
}

const RUNG_WHY: Record<string, string> = {
  new: 'no stored line matched: stored as a new line',
  'own-id': 'the file names this banksync id (a re-imported export)',
  'file-id': "the file's own id for the line was stored before",
  fingerprint: 'same date, amount and text fingerprint as the stored line',
  text: 'same date and amount, and the text mostly agrees',
  'accounts-merge-id': '`accounts merge`: same provider or file id',
  'accounts-merge-fingerprint': '`accounts merge`: same date, amount and text fingerprint',
  'accounts-merge-text': '`accounts merge`: same date and amount, text mostly agrees',
  unmerged: 'made a line of its own again by `banksync unmerge`',
};

function recordedView(o: LineOrigin): OriginView {
  const file = o.file ?? fileOfSource(o.source);
  const unknown: string[] = [];
  if (o.source.startsWith('file:') && !o.record) unknown.push('where in the file (imported before banksync recorded it)');
  if (o.candidates === null && o.rung !== 'new' && o.rung !== 'unmerged' && !o.rung.endsWith('-id') && !o.sourceKey.startsWith('sync:'))
    unknown.push('the candidates it was compared with (not recorded for this merge)');
  return {
    kind: o.source.startsWith('provider:') ? 'provider' : o.source.startsWith('file:') ? 'file' : 'line',
    source: o.source,
    provider: providerOf(o.source),
    rawId: o.rawId,
    file,
    record: o.record,
    rung: o.rung,
    why: o.rung === 'unmerged' ? `${RUNG_WHY.unmerged}${o.why ? ` (it had been taken as ${o.unmergedFrom}: ${o.why})` : ''}` : (o.why ?? RUNG_WHY[o.rung] ?? o.rung),
    candidates: o.candidates,
    unmergedFrom: o.unmergedFrom,
    firstSeenAt: o.firstSeenAt,
    unknown,
  };
}

/**
 * Lines without a row of their own: a file's lines that met no stored line (in their file's
 * records), lines a sync stored, lines stored before origins were recorded (told by the line itself).
 */
async function derivedOrigin(s: Services, line: StoredLine): Promise<OriginView> {
  const provider = providerOf(line.source);
  const base = { source: line.source, provider, file: fileOfSource(line.source), record: null, candidates: null, unmergedFrom: null, firstSeenAt: line.firstSeenAt };
  const inFile = provider ? undefined : await s.db.lineOrigins.fileRecord(line.id, line.source);
  if (inFile) {
    return {
      ...base,
      kind: 'file',
      file: inFile.file,
      record: inFile.record,
      rawId: line.externalId?.replace(/^[a-z]+:/, '') ?? null,
      rung: 'new',
      why: 'no stored line had its date and amount: stored as a new line',
      candidates: [],
      unknown: [],
    };
  }
  if (provider) {
    return {
      ...base,
      kind: 'provider',
      rawId: line.externalId,
      rung: line.externalId ? 'provider-id' : 'provider-fingerprint',
      why: line.externalId
        ? "the provider's id for the line: every re-fetch with this id updates this line"
        : `the provider gives no stable ids for this account: date, amount and text fingerprint, occurrence ${line.ordinal + 1} of that day`,
      // A sync matches only by provider id or fingerprint, never across sources: nothing was weighed.
      unknown: [],
    };
  }
  return {
    ...base,
    kind: 'file',
    rawId: line.externalId?.replace(/^[a-z]+:/, '') ?? null,
    rung: 'unknown',
    why: 'stored before banksync recorded how each line was matched',
    unknown: ['where in the file', 'which rung matched and the candidates compared'],
  };
}

const providerOf = (source: string) => (source.startsWith('provider:') ? source.slice('provider:'.length) : null);

/** `file:<name>#<sha256 prefix>` as the line's source says it. */
function fileOfSource(source: string): OriginView['file'] {
  const m = /^file:(.*)#([0-9a-f]+)$/.exec(source);
  return m ? { name: m[1]!, sha256: m[2]!, size: null, format: null } : null;
}

function pendingView(p: StoredPending, line: StoredLine, fmt: (m: number) => string): Explanation['pending'][number] {
  const days = Math.round((Date.parse(line.bookingDate) - Date.parse(p.date)) / 86_400_000);
  const diff = line.amountMinor - p.amountMinor;
  const parts = [days === 0 ? 'booked the same day' : `booked ${days} day${Math.abs(days) === 1 ? '' : 's'} ${days > 0 ? 'after' : 'before'} the pending date`];
  parts.push(diff === 0 ? 'same amount' : `amount differs by ${fmt(diff)}`);
  if (p.externalId) parts.push(`pending id ${p.externalId}`);
  return { date: p.date, amount: fmt(p.amountMinor), payee: p.payee, status: p.status, why: parts.join(', ') };
}

const FIELDS = ['bookingDate', 'valueDate', 'amountMinor', 'payee', 'memo', 'type', 'counterpartyIban'] as const;

async function revisions(s: Services, line: StoredLine, fmt: (m: number) => string): Promise<Explanation['revisions']> {
  const versions = [...(await s.db.transactions.history(line.id)).map((h) => ({ ...h, until: h.replacedAt as string | null })), { ...line, revision: line.revision, until: null }];
  return versions.map((v, i) => {
    const next = versions[i + 1];
    const changed = next ? FIELDS.filter((f) => (v as Record<string, unknown>)[f] !== (next as Record<string, unknown>)[f]) : [];
    return {
      revision: v.revision,
      date: v.bookingDate,
      amount: fmt(v.amountMinor),
      payee: v.payee,
      memo: v.memo,
      until: v.until,
      changed: next && changed.length === 0 ? ['(no field: removed, restored, ignored or unignored)'] : changed,
    };
  });
}
