import { badInput } from '../domain/errors.js';
import { addDays } from '../domain/clock.js';
import { formatMinor } from '../domain/money.js';
import type { LineAnnotation } from '../domain/annotation.js';
import { ledgerNameProblem, oneLine } from './text.js';
import type { AccountSection, ExportFormat, ExportRow, ExportSettings, FormatWriter } from './types.js';

/**
 * Plain-text accounting journals (M20): ledger/hledger and beancount. Each line once, tagged with
 * its stable id; the bank account mapped by `accounts map`; the other side to the configured
 * expense or income account; a balance assertion at each statement end, so the reader checks
 * banksync's arithmetic. A corrected or removed line is reversed as the reader received it, then
 * (when corrected) written again.
 */

type Dialect = 'ledger' | 'hledger' | 'beancount';
const OPENING_ACCOUNT: Record<Dialect, string> = { ledger: 'Equity:Opening Balances', hledger: 'Equity:Opening Balances', beancount: 'Equity:Opening-Balances' };

interface Posting {
  account: string;
  /** Absent on the last posting: the reader balances it. */
  amount?: string;
  assertion?: string;
  meta?: [string, string][];
}

interface Entry {
  date: string;
  payee: string;
  memo: string;
  meta: [string, string][];
  postings: Posting[];
}

/** A transaction that only asserts a balance: the second leg of a transfer was written with its first. */
interface Assertion {
  date: string;
  account: string;
  balance: string;
  transferId: string;
}

export function journalFormat(dialect: Dialect): ExportFormat {
  return {
    name: dialect,
    description: dialect === 'beancount' ? 'beancount ledger (passes bean-check)' : `${dialect} journal with balance assertions`,
    annotated: true,
    validate(sections, settings) {
      const style = dialect === 'beancount' ? 'beancount' : 'ledger';
      for (const [what, name] of [
        ...sections.map((s) => [`account a${s.account.id}'s ledger name`, s.ledgerName] as const),
        ['--expense-account', settings.expenseAccount] as const,
        ['--income-account', settings.incomeAccount] as const,
      ]) {
        const problem = ledgerNameProblem(name, style);
        if (problem) throw badInput(`${what} "${name}" does not work in ${dialect}: ${problem}`, what.startsWith('--') ? undefined : 'set another with: banksync accounts map <account> <name>');
      }
      // The rules file checks categories as ledger names; beancount asks more of them.
      for (const [name, rule] of settings.categories ?? []) {
        const problem = ledgerNameProblem(name, style);
        if (problem) throw badInput(`rule ${rule}'s category "${name}" does not work in ${dialect}: ${problem}`, 'change it with: banksync rules edit');
      }
    },
    create: (settings) => (dialect === 'beancount' ? beancountWriter(settings) : ledgerWriter(dialect, settings)),
    interleave: true,
  };
}

/** The other side of a line: the rule's category, else the configured expense or income account. */
const counterOf = (amountMinor: number, s: ExportSettings, a: LineAnnotation | null) => a?.category ?? (amountMinor < 0 ? s.expenseAccount : s.incomeAccount);

/**
 * What the lines of a row become: its reversal (if the reader holds an older version) and its
 * current version; for the first leg of a transfer pair, the pair's one transaction; for the
 * second, nothing but the balance assertion it closes (see core/transfers/journal-postings.ts).
 */
function entriesOf(r: ExportRow, s: AccountSection, settings: ExportSettings, money: (m: number, currency?: string) => string): { entries: Entry[]; assertion?: Assertion } {
  const out: Entry[] = [];
  if (r.change !== 'new' && r.previous) {
    const p = r.previous;
    out.push({
      date: p.bookingDate,
      payee: `Reversal: ${oneLine(p.payee) || oneLine(p.memo) || 'bank line'}`,
      // Same revision: the bank's line is as it was; a rule or a transfer pairing changed its posting.
      memo: r.change === 'removed' ? 'removed by the bank' : r.replacesRevision === r.revision ? 'posted again: its category or transfer changed' : 'corrected by the bank',
      meta: [
        ['id', `${r.id}.r${r.replacesRevision ?? 0}-reversal`],
        ['reverses', r.id],
      ],
      postings: [{ account: s.ledgerName, amount: money(-p.amountMinor) }, { account: r.reversalCounter ?? counterOf(p.amountMinor, settings, r.previousAnnotation ?? r.annotation) }],
    });
  }
  if (r.change === 'removed') return { entries: out };
  const t = r.transferPosting;
  // An assertion only on a line in its first, ordinary form: after a reversal the reader's order may differ.
  const assertion = r.change === 'new' && r.closesPeriod && r.balanceAfter !== null ? money(r.balanceAfter) : undefined;
  if (t?.role === 'written') {
    return { entries: out, assertion: assertion === undefined ? undefined : { date: r.bookingDate, account: s.ledgerName, balance: assertion, transferId: t.transferId } };
  }
  // A rule's clean payee is the description, as hledger's CSV rules make it; the bank's text stays beside it.
  const clean = oneLine(r.annotation.cleanPayee);
  const payee = clean || oneLine(r.payee) || oneLine(r.memo) || 'bank line';
  const bankPayee: [string, string][] = clean && r.payee && clean !== oneLine(r.payee) ? [['bank-payee', oneLine(r.payee)]] : [];
  const id = r.change === 'new' ? r.id : `${r.id}.r${r.revision}`;
  if (t?.role === 'pair' && t.other) {
    out.push({
      date: r.bookingDate,
      payee,
      memo: oneLine(r.memo),
      meta: [['transfer', t.transferId], ...bankPayee],
      postings: [
        { account: s.ledgerName, amount: money(r.amountMinor), assertion, meta: [['id', id]] },
        {
          account: t.other.ledgerName,
          amount: money(t.other.amountMinor, t.other.currency),
          meta: [['id', t.other.id], ...(t.other.bookingDate !== r.bookingDate ? [['date', t.other.bookingDate] as [string, string]] : [])],
        },
      ],
    });
    return { entries: out };
  }
  out.push({
    date: r.bookingDate,
    payee,
    memo: oneLine(r.memo),
    meta: [['id', id], ...(t ? [['transfer', t.transferId] as [string, string]] : []), ...bankPayee],
    postings: [{ account: s.ledgerName, amount: money(r.amountMinor), assertion }, { account: t ? t.counter : counterOf(r.amountMinor, settings, r.annotation) }],
  });
  return { entries: out };
}

function ledgerWriter(dialect: 'ledger' | 'hledger', settings: ExportSettings): FormatWriter {
  // ";" starts a comment in a description and "(" a code after the status mark.
  const text = (v: string) => v.replace(/;/g, ',').replace(/^\(/, '[');
  const entry = (e: Entry) => {
    let out = `${e.date} * ${text(e.payee)}\n`;
    for (const [k, v] of e.meta) out += `    ; ${k}: ${v}\n`;
    if (e.memo) out += `    ; memo: ${e.memo}\n`;
    for (const p of e.postings) {
      out += `    ${p.account}${p.amount ? `  ${p.amount}` : ''}${p.assertion ? ` = ${p.assertion}` : ''}\n`;
      // hledger reads "date:" on a posting as that posting's own date; ledger would take it for a plain tag.
      for (const [k, v] of p.meta ?? []) if (k !== 'date' || dialect === 'hledger') out += `        ; ${k}: ${v}\n`;
    }
    return `${out}\n`;
  };
  const assertion = (a: Assertion, zero: string) =>
    entry({ date: a.date, payee: 'Balance after the transfer', memo: '', meta: [['transfer', a.transferId]], postings: [{ account: a.account, amount: zero, assertion: a.balance }] });
  return {
    begin: () => `; ${dialect} journal written by banksync at ${settings.now}\n\n`,
    beginAccount(s) {
      if (!s.writeOpening || s.opening === null || s.count === 0) return '';
      const money = (m: number) => `${formatMinor(m, s.account.currency)} ${s.account.currency}`;
      return entry({
        date: s.firstDate ?? s.start,
        payee: 'Opening balance',
        memo: '',
        meta: [['id', `opening-a${s.account.id}`]],
        postings: [{ account: s.ledgerName, amount: money(s.opening) }, { account: OPENING_ACCOUNT[dialect] }],
      });
    },
    row(r, s) {
      const money = (m: number, currency = r.currency) => `${formatMinor(m, currency)} ${currency}`;
      const { entries, assertion: a } = entriesOf(r, s, settings, money);
      return entries.map(entry).join('') + (a ? assertion(a, money(0)) : '');
    },
    endAccount: () => '',
    end: () => '',
  };
}

function beancountWriter(settings: ExportSettings): FormatWriter {
  const str = (v: string) => `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  const entry = (e: Entry) => {
    let out = `${e.date} * ${str(e.payee)} ${str(e.memo)}\n`;
    for (const [k, v] of e.meta) out += `  ${k}: ${str(v)}\n`;
    for (const p of e.postings) {
      out += `  ${p.account}${p.amount ? `  ${p.amount}` : ''}\n`;
      for (const [k, v] of p.meta ?? []) out += `    ${k}: ${str(v)}\n`;
    }
    return `${out}\n`;
  };
  // beancount wants every account opened: the other side of a transfer (another account's ledger
  // name, the in-transit account) is opened where first used, dated like the other counter accounts.
  const opened = new Set<string>();
  let first: string | undefined;
  const openNew = (entries: Entry[]) => {
    if (first === undefined) return '';
    let out = '';
    for (const e of entries) {
      for (const p of e.postings) {
        if (opened.has(p.account)) continue;
        opened.add(p.account);
        settings.accountsOpened?.add(p.account);
        out += `${first} open ${p.account}\n\n`;
      }
    }
    return out;
  };
  return {
    begin(sections) {
      let out = `; beancount ledger written by banksync at ${settings.now}\n\n`;
      const opening = sections.filter((s) => s.writeOpening);
      const counters = new Set([settings.expenseAccount, settings.incomeAccount, OPENING_ACCOUNT.beancount, ...(settings.categories?.keys() ?? [])]);
      if (opening.length === 0) {
        // An increment: its target's first file opened the accounts and the standard counter
        // accounts, earlier increments what they used; what is new here opens on the first day
        // this export covers (no line of it, nor a reversal, is older).
        first = sections.map((s) => s.firstDate ?? s.start).sort()[0];
        for (const name of [...sections.map((s) => s.ledgerName), settings.expenseAccount, settings.incomeAccount, OPENING_ACCOUNT.beancount, ...(settings.openedBefore ?? [])]) opened.add(name);
        return out;
      }
      // Accounts open on the first day the export covers; counter accounts on the earliest of those.
      first = opening.map((s) => s.firstDate ?? s.start).sort()[0]!;
      for (const s of opening) out += `${s.firstDate ?? s.start} open ${s.ledgerName} ${s.account.currency}\n`;
      // A category may name one of the exported accounts (a rule that posts to savings): opened once.
      const own = new Set(opening.map((s) => s.ledgerName));
      for (const name of counters) if (!own.has(name)) out += `${first} open ${name}\n`;
      for (const name of [...own, ...counters]) opened.add(name);
      for (const name of settings.categories?.keys() ?? []) settings.accountsOpened?.add(name);
      return `${out}\n`;
    },
    beginAccount(s) {
      if (!s.writeOpening || s.opening === null || s.count === 0) return '';
      const money = (m: number) => `${formatMinor(m, s.account.currency)} ${s.account.currency}`;
      return entry({
        date: s.firstDate ?? s.start,
        payee: 'Opening balance',
        memo: '',
        meta: [['id', `opening-a${s.account.id}`]],
        postings: [{ account: s.ledgerName, amount: money(s.opening) }, { account: OPENING_ACCOUNT.beancount }],
      });
    },
    row(r, s) {
      const money = (m: number, currency = r.currency) => `${formatMinor(m, currency)} ${currency}`;
      const { entries, assertion } = entriesOf(r, s, settings, money);
      let out = openNew(entries) + entries.map(entry).join('');
      const asserted = assertion
        ? { date: assertion.date, balance: assertion.balance }
        : entries.flatMap((e) => e.postings.filter((p) => p.assertion && p.account === s.ledgerName).map((p) => ({ date: e.date, balance: p.assertion! })))[0];
      // beancount checks a balance at the start of its date: the day after the statement's last line.
      // "~ 0": exact. beancount's inferred tolerance would let a one-cent difference pass.
      if (asserted) out += `${addDays(asserted.date, 1)} balance ${s.ledgerName}  ${asserted.balance.replace(' ', ' ~ 0 ')}\n\n`;
      return out;
    },
    endAccount: () => '',
    end: () => '',
  };
}
