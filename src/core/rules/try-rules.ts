import type { Services } from '../context.js';
import { badInput } from '../../domain/errors.js';
import { requireAccounts } from '../accounts.js';
import { accountRef, type Transaction } from '../../domain/model.js';
import { formatMinor } from '../../domain/money.js';
import { ledgerComponent } from '../../export/text.js';
import { escapeRegex } from './compile.js';
import { loadRuleSet } from './index.js';
import { listRules } from './manage.js';

/** `rules test` and `rules suggest`: the rules tried on the stored lines, nothing changed. */

export interface LineScope {
  accountIds?: number[];
  from?: string;
  to?: string;
}

export interface TestedLine {
  id: string;
  account: string;
  date: string;
  amount: string;
  currency: string;
  payee: string | null;
  memo: string | null;
  /** The rule that matched (1-based); null: none. */
  rule: number | null;
  category: string | null;
  cleanPayee: string | null;
}

export interface RulesTestResult {
  rules: { index: number; when: string; category: string | null; lines: number }[];
  lines: TestedLine[];
  matched: number;
  unmatched: number;
}

/** Calls `fn` with each stored line in scope, read in one snapshot (a stream is read inside a unit). */
async function eachLine(s: Services, scope: LineScope, fn: (t: Transaction) => void): Promise<void> {
  if (scope.from && scope.to && scope.from > scope.to) throw badInput(`--from ${scope.from} is after --to ${scope.to}`);
  const accountIds = scope.accountIds && (await requireAccounts(s, scope.accountIds)).map((a) => a.id);
  await s.db.snapshot(async () => {
    for await (const page of s.db.transactions.iterate({ accountIds, from: scope.from, to: scope.to })) for (const t of page) fn(t);
  });
}

/** Which rule each line hits (first match wins), and which lines hit none. */
export async function testRules(s: Services, scope: LineScope & { unmatchedOnly?: boolean }): Promise<RulesTestResult> {
  const set = await loadRuleSet(s);
  const rules = (await listRules(s)).map((r) => ({ index: r.index, when: r.when, category: r.category, lines: 0 }));
  const out: TestedLine[] = [];
  let unmatched = 0;
  await eachLine(s, scope, (t) => {
    const hit = set.match(t);
    if (hit) rules[hit.index - 1]!.lines++;
    else unmatched++;
    if (scope.unmatchedOnly && hit) return;
    out.push({
      id: t.id,
      account: accountRef(t.accountId),
      date: t.bookingDate,
      amount: formatMinor(t.amountMinor, t.currency),
      currency: t.currency,
      payee: t.payee,
      memo: t.memo,
      rule: hit?.index ?? null,
      category: hit?.category ?? null,
      cleanPayee: hit?.payee ?? null,
    });
  });
  const matched = rules.reduce((n, r) => n + r.lines, 0);
  return { rules, lines: out, matched, unmatched };
}

export interface RuleSuggestion {
  payee: string;
  lines: number;
  direction: 'in' | 'out';
  /** The flags of the proposed `rules add`, and the command as a shell line. */
  args: string[];
  command: string;
}

/**
 * The most frequent payees no rule matches, each proposed as a `rules add` command with a category
 * named after the payee (Expenses:… or Income:…, by where most of its money goes), to edit.
 */
export async function suggestRules(s: Services, scope: LineScope & { limit?: number }): Promise<{ suggestions: RuleSuggestion[]; unmatched: number }> {
  const set = await loadRuleSet(s);
  const groups = new Map<string, { names: Map<string, number>; lines: number; out: number }>();
  let unmatched = 0;
  await eachLine(s, scope, (t) => {
    if (set.match(t)) return;
    unmatched++;
    const name = (t.payee ?? '').replace(/\s+/g, ' ').trim();
    if (!name) return;
    const key = name.toLowerCase();
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { names: new Map(), lines: 0, out: 0 }));
    g.lines++;
    if (t.amountMinor < 0) g.out++;
    g.names.set(name, (g.names.get(name) ?? 0) + 1);
  });
  const ranked = [...groups.values()].filter((g) => g.lines >= 2).sort((a, b) => b.lines - a.lines || mostUsed(a.names).localeCompare(mostUsed(b.names)));
  const suggestions = ranked.slice(0, scope.limit ?? 10).map((g) => {
    const payee = mostUsed(g.names);
    const direction = g.out * 2 >= g.lines ? 'out' : 'in';
    const args = ['--match', escapeRegex(payee), '--field', 'payee', '--category', `${direction === 'out' ? 'Expenses' : 'Income'}:${ledgerComponent(payee)}`];
    return { payee, lines: g.lines, direction, args, command: ['banksync', 'rules', 'add', ...args].map(shellWord).join(' ') } satisfies RuleSuggestion;
  });
  return { suggestions, unmatched };
}

const mostUsed = (names: Map<string, number>) => [...names].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];

/** A word as a POSIX shell reads it back. */
export const shellWord = (w: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
