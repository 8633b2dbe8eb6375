import { badInput } from '../core/errors.js';
import { addDays } from '../core/clock.js';
import { formatMinor } from '../core/money.js';
import type { LineAnnotation } from '../core/annotate.js';
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

interface Entry {
  date: string;
  payee: string;
  memo: string;
  meta: [string, string][];
  account: string;
  amount: string;
  assertion?: string;
  counter: string;
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
  };
}

/** The other side of a line: the rule's category, else the configured expense or income account. */
const counterOf = (amountMinor: number, s: ExportSettings, a: LineAnnotation | null) => a?.category ?? (amountMinor < 0 ? s.expenseAccount : s.incomeAccount);

/** What the lines of a row become: its reversal (if the reader holds an older version) and its current version. */
function entriesOf(r: ExportRow, s: AccountSection, settings: ExportSettings, money: (m: number) => string): Entry[] {
  const out: Entry[] = [];
  if (r.change !== 'new' && r.previous) {
    const p = r.previous;
    out.push({
      date: p.bookingDate,
      payee: `Reversal: ${oneLine(p.payee) || oneLine(p.memo) || 'bank line'}`,
      // Same revision: the bank's line is as it was; a rule or a transfer pairing changed its posting.
      memo: r.change === 'removed' ? 'removed by the bank' : r.replacesRevision === r.revision ? 'posted again: its category or transfer changed' : 'corrected by the bank',
      meta: [['id', `${r.id}.r${r.replacesRevision ?? 0}-reversal`], ['reverses', r.id]],
      account: s.ledgerName,
      amount: money(-p.amountMinor),
      counter: counterOf(p.amountMinor, settings, r.previousAnnotation ?? r.annotation),
    });
  }
  if (r.change === 'removed') return out;
  // A rule's clean payee is the description, as hledger's CSV rules make it; the bank's text stays beside it.
  const clean = oneLine(r.annotation.cleanPayee);
  const payee = clean || oneLine(r.payee) || oneLine(r.memo) || 'bank line';
  const meta: [string, string][] = [['id', r.change === 'new' ? r.id : `${r.id}.r${r.revision}`]];
  if (clean && r.payee && clean !== oneLine(r.payee)) meta.push(['bank-payee', oneLine(r.payee)]);
  out.push({
    date: r.bookingDate,
    payee,
    memo: oneLine(r.memo),
    meta,
    account: s.ledgerName,
    amount: money(r.amountMinor),
    // An assertion only on a line in its first, ordinary form: after a reversal the reader's order may differ.
    assertion: r.change === 'new' && r.closesPeriod && r.balanceAfter !== null ? money(r.balanceAfter) : undefined,
    counter: counterOf(r.amountMinor, settings, r.annotation),
  });
  return out;
}

function ledgerWriter(dialect: 'ledger' | 'hledger', settings: ExportSettings): FormatWriter {
  // ";" starts a comment in a description and "(" a code after the status mark.
  const text = (v: string) => v.replace(/;/g, ',').replace(/^\(/, '[');
  const entry = (e: Entry) => {
    let out = `${e.date} * ${text(e.payee)}\n`;
    for (const [k, v] of e.meta) out += `    ; ${k}: ${v}\n`;
    if (e.memo) out += `    ; memo: ${e.memo}\n`;
    out += `    ${e.account}  ${e.amount}${e.assertion ? ` = ${e.assertion}` : ''}\n    ${e.counter}\n\n`;
    return out;
  };
  return {
    begin: () => `; ${dialect} journal written by banksync at ${settings.now}\n\n`,
    beginAccount(s) {
      if (!s.writeOpening || s.opening === null || s.count === 0) return '';
      const money = (m: number) => `${formatMinor(m, s.account.currency)} ${s.account.currency}`;
      return entry({ date: s.firstDate ?? s.start, payee: 'Opening balance', memo: '', meta: [['id', `opening-a${s.account.id}`]], account: s.ledgerName, amount: money(s.opening), counter: OPENING_ACCOUNT[dialect] });
    },
    row(r, s) {
      const money = (m: number) => `${formatMinor(m, r.currency)} ${r.currency}`;
      return entriesOf(r, s, settings, money).map(entry).join('');
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
    out += `  ${e.account}  ${e.amount}\n  ${e.counter}\n\n`;
    return out;
  };
  return {
    begin(sections) {
      let out = `; beancount ledger written by banksync at ${settings.now}\n\n`;
      const opening = sections.filter((s) => s.writeOpening);
      if (opening.length === 0) return out;
      // Accounts open on the first day the export covers; counter accounts on the earliest of those.
      const first = opening.map((s) => s.firstDate ?? s.start).sort()[0]!;
      for (const s of opening) out += `${s.firstDate ?? s.start} open ${s.ledgerName} ${s.account.currency}\n`;
      // A category may name one of the exported accounts (a rule that posts to savings): opened once.
      const own = new Set(opening.map((s) => s.ledgerName));
      for (const name of new Set([settings.expenseAccount, settings.incomeAccount, OPENING_ACCOUNT.beancount, ...(settings.categories?.keys() ?? [])])) {
        if (!own.has(name)) out += `${first} open ${name}\n`;
      }
      return `${out}\n`;
    },
    beginAccount(s) {
      if (!s.writeOpening || s.opening === null || s.count === 0) return '';
      const money = (m: number) => `${formatMinor(m, s.account.currency)} ${s.account.currency}`;
      return entry({ date: s.firstDate ?? s.start, payee: 'Opening balance', memo: '', meta: [['id', `opening-a${s.account.id}`]], account: s.ledgerName, amount: money(s.opening), counter: OPENING_ACCOUNT.beancount });
    },
    row(r, s) {
      const money = (m: number) => `${formatMinor(m, r.currency)} ${r.currency}`;
      const entries = entriesOf(r, s, settings, money);
      let out = entries.map(entry).join('');
      const asserted = entries.find((e) => e.assertion);
      // beancount checks a balance at the start of its date: the day after the statement's last line.
      // "~ 0": exact. beancount's inferred tolerance would let a one-cent difference pass.
      if (asserted) out += `${addDays(asserted.date, 1)} balance ${s.ledgerName}  ${asserted.assertion!.replace(' ', ' ~ 0 ')}\n\n`;
      return out;
    },
    endAccount: () => '',
    end: () => '',
  };
}
