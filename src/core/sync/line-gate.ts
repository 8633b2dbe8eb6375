import type { ProviderPending, ProviderTransaction, RejectedLine } from '../../providers/types.js';
import type { StorePort } from '../../store/index.js';
import { bookingDateProblem, valueDateProblem } from '../line-checks.js';
import { accountRef, type Account } from '../../domain/model.js';
import { formatMinor } from '../../domain/money.js';
import { fingerprint } from '../dedupe.js';

/** Marks the provider id of the second, different line that came under one id. */
const CONFLICT_MARK = '~';

/**
 * The boundary between a provider's answer and the books: every booked and pending line is
 * checked before it is stored (a real date not far in the future, the account's currency), and
 * a provider id that carries two different lines in one fetch keeps both. What is refused is
 * quarantined in input_issues with the line as received and reported as a warning: nothing is
 * dropped silently, nothing guessed.
 */
export class LineGate {
  readonly warnings: string[] = [];
  private readonly today: string;
  /**
   * provider id → the one line seen under it in this fetch (the common case: no object made per
   * line), or, once a second line came, the fingerprints seen under it; the first one holds the plain id.
   */
  private readonly seen = new Map<string, ProviderTransaction | Claims>();
  /** Dates repeat on every line of a day: each is checked once per fetch. */
  private readonly dates = new Map<unknown, string | null>();
  private constructor(
    private readonly db: StorePort,
    private readonly account: Account,
    private readonly source: string,
    private readonly now: string,
    /** Ids already known to carry two lines: only these need the store looked up. */
    private readonly conflicted: Set<string>,
  ) {
    this.today = now.slice(0, 10);
  }

  static async open(db: StorePort, account: Account, source: string, now: string): Promise<LineGate> {
    const keys = await db.inputIssues.keys(account.id, 'id-conflict');
    return new LineGate(db, account, source, now, new Set([...keys].map((k) => k.slice(0, k.lastIndexOf('|')))));
  }

  /**
   * The line to store (its provider id possibly marked as a second line), or null when it is
   * quarantined or is a repeat of a line already taken in this fetch. At once for a line that
   * needs nothing of the store (nearly all); a promise when a problem is recorded or a line
   * known to carry two lines is looked up.
   */
  booked(t: ProviderTransaction): Checked<ProviderTransaction> {
    const line = this.checked(t, 'booked');
    return line instanceof Promise ? line.then((l) => this.claimed(l, t)) : this.claimed(line, t);
  }

  private claimed(line: ProviderTransaction | null, t: ProviderTransaction): Checked<ProviderTransaction> {
    if (!line || !this.account.stableIds || !t.externalId) return line;
    return this.claim(line, t.externalId);
  }

  /**
   * A line the provider says changed (TransactionPage.modified), or any booked line of a changes
   * feed (cursor feeds: a later line under an id already seen in this fetch is its newer version,
   * e.g. after Plaid restarts a pagination, never a second line): stored over the line under the
   * same id. Without stable ids there is no line to correct: quarantined, never added as new.
   */
  replacement(t: ProviderTransaction): Checked<ProviderTransaction> {
    if (!this.account.stableIds || !t.externalId) {
      return this.quarantine(
        t.externalId,
        `the provider sent it as a change to a line, but ${this.account.stableIds ? 'it has no id' : "this account's provider ids are not stable"}, so the line it corrects cannot be found`,
        { modified: t },
      ).then(() => null);
    }
    const id = t.externalId;
    // The newer version is the one a repeat in this fetch is compared with.
    const remember = (line: ProviderTransaction | null) => {
      if (line) this.seen.set(id, line);
      return line;
    };
    const line = this.checked(t, 'modified');
    return line instanceof Promise ? line.then(remember) : remember(line);
  }

  /** Date and currency checks every booked line passes; an impossible value date is dropped with a note. */
  private checked(t: ProviderTransaction, as: 'booked' | 'modified'): Checked<ProviderTransaction> {
    const problem = this.dateProblem(t.bookingDate) ?? this.currencyProblem(t.currency);
    if (problem) return this.quarantine(t.externalId, problem, { [as]: t }).then(() => null);
    const valueProblem = valueDateProblem(t.valueDate);
    if (!valueProblem) return t;
    return this.note('field-dropped', `${t.externalId ?? fpOf(t)}`, `line ${describe(t)}: ${valueProblem}; stored without a value date`, { [as]: t }).then(() => ({
      ...t,
      valueDate: undefined,
    }));
  }

  pending(p: ProviderPending): Checked<ProviderPending> {
    const problem = this.dateProblem(p.date) ?? this.currencyProblem(p.currency);
    if (!problem) return p;
    return this.quarantine(p.externalId, `pending ${problem}`, { pending: p }).then(() => null);
  }

  /**
   * A problem the provider reported inside a successful answer (SimpleFIN errors/errlist): stored
   * per account under its text, so each is said once and `status` counts it.
   */
  async providerWarning(text: string, providerName: string): Promise<void> {
    const clean = String(text)
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .trim()
      .slice(0, 500);
    if (clean) await this.providerNotice(clean, `${providerName} reported: ${clean}`, { text: clean });
  }

  /** Something about the provider's answer worth saying once (stored as a provider warning under `key`). */
  async providerNotice(key: string, message: string, detail: unknown = null): Promise<void> {
    await this.note('provider-warning', key, message, detail);
  }

  /** Lines the adapter could not map at all (no date, say): they are named, not dropped. */
  async rejected(r: RejectedLine): Promise<void> {
    await this.quarantine(r.externalId, r.reason, { rejected: r });
  }

  private claim(t: ProviderTransaction, id: string): Checked<ProviderTransaction> {
    // The common case (an id seen once, never in conflict) costs one map lookup, no hashing.
    const entry = this.seen.get(id);
    if (entry === undefined && !this.conflicted.has(id)) {
      this.seen.set(id, t);
      return t;
    }
    const fp = fpOf(t);
    const marked = `${id}${CONFLICT_MARK}${fp.slice(0, 16)}`;
    let seen: Claims;
    if (entry instanceof Claims) seen = entry;
    else {
      // A second line under this id (or one known to carry two): from here on, fingerprints.
      seen = new Claims(entry !== undefined);
      if (entry !== undefined) seen.fingerprints.push(fpOf(entry));
      this.seen.set(id, seen);
    }
    if (seen.fingerprints.includes(fp)) return null; // the same line twice (overlapping pages): one line
    seen.fingerprints.push(fp);
    // A second line stored on an earlier sync keeps its marked id, whichever of the two comes first now.
    if (this.conflicted.has(id)) {
      const claims = seen;
      return this.db.transactions.hasExternalId(this.account.id, marked).then((stored) => (stored ? { ...t, externalId: marked } : this.firstOrSecond(t, id, fp, marked, claims)));
    }
    return this.firstOrSecond(t, id, fp, marked, seen);
  }

  /** The plain id for the first line seen under it, the marked one (said once) for a second. */
  private firstOrSecond(t: ProviderTransaction, id: string, fp: string, marked: string, seen: Claims): Checked<ProviderTransaction> {
    if (!seen.plainTaken) {
      seen.plainTaken = true;
      return t;
    }
    this.conflicted.add(id);
    // Keyed by the line too: a later, different second line under this id is said again, never silently added.
    return this.note(
      'id-conflict',
      `${id}|${fp.slice(0, 16)}`,
      `provider id ${id} came with two different lines in one answer (the second: ${describe(t)}); both are kept — ask the bank or provider which is right`,
      { id, line: t },
    ).then(() => ({ ...t, externalId: marked }));
  }

  private dateProblem(date: unknown): string | null {
    let p = this.dates.get(date);
    if (p === undefined) this.dates.set(date, (p = bookingDateProblem(date, this.today)));
    return p;
  }

  private currencyProblem(currency: string | undefined): string | null {
    if (currency === this.account.currency) return null;
    return `it is in ${currency ? String(currency).slice(0, 8) : 'no currency'}, but the account is in ${this.account.currency}`;
  }

  private async quarantine(externalId: string | undefined, problem: string, detail: Record<string, unknown>): Promise<void> {
    const line = (detail.booked ?? detail.modified ?? detail.pending ?? detail.rejected) as Partial<ProviderTransaction> & { date?: string };
    const key = externalId
      ? `x:${externalId}`
      : `f:${fpOf({ bookingDate: line.bookingDate ?? line.date ?? '', amountMinor: line.amountMinor ?? 0, currency: line.currency ?? '', payee: line.payee, memo: line.memo })}`;
    await this.note('quarantined', key, `line ${externalId ? `${externalId} ` : ''}not imported: ${problem}`, detail);
  }

  /** Stored every time; said once, when first found, so cron stays quiet about what status already shows. */
  private async note(kind: 'quarantined' | 'id-conflict' | 'field-dropped' | 'provider-warning', key: string, message: string, detail: unknown): Promise<void> {
    const fresh = await this.db.inputIssues.record({ accountId: this.account.id, kind, key, severity: 'warning', source: this.source, message, detail }, this.now);
    if (fresh) this.warnings.push(`${accountRef(this.account.id)} ${this.account.name}: ${message}`);
  }
}

/** A checked line (null: not to be stored): a promise only when the check had to ask or tell the store. */
export type Checked<T> = T | null | Promise<T | null>;

/** The lines seen under one provider id once it carried more than one. */
class Claims {
  readonly fingerprints: string[] = [];
  constructor(public plainTaken: boolean) {}
}

const fpOf = (t: { bookingDate: string; amountMinor: number; currency: string; payee?: string; memo?: string }) =>
  fingerprint({ date: t.bookingDate, amountMinor: t.amountMinor, currency: t.currency, payee: t.payee, memo: t.memo });

const describe = (t: ProviderTransaction) => `${t.bookingDate} ${formatMinor(t.amountMinor, t.currency)}${t.payee ? ` ${t.payee.slice(0, 40)}` : ''}`;
