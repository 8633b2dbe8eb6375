import { type Command, InvalidArgumentError, Option } from 'commander';
import type { AddRuleOptions, RuleView } from '../../core/rules/manage.js';
import type { RulesTestResult } from '../../core/rules/try-rules.js';
import { plural } from '../format.js';
import { table } from '../output.js';
import { collectAccountRefs, parseAccountRef, parseDate, parsePositiveInt } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';
import type { Runtime } from '../runtime.js';

const EXAMPLES = `
The rules file (TOML, one [[rule]] per rule) belongs to the database. The first rule that matches a
line sets its category (the journal account it posts to), a clean payee and tags in exports; the
bank's lines are never changed. Text matches ignore case, as in hledger's rules.

Examples:
  $ banksync rules add --match 'albert heijn|jumbo' --field payee --category Expenses:Groceries --payee 'Albert Heijn'
  $ banksync rules add --contains 'Housing Co' --direction out --min 1000 --category Expenses:Rent
  $ banksync rules test --account a1 --from 2026-01-01
  $ banksync rules suggest
  $ banksync rules edit`;

const showRules = (rt: Runtime, rules: RuleView[]) =>
  rt.out.result({ rules }, (v) =>
    v.rules.length === 0
      ? 'no rules yet: add one with `banksync rules add` or `banksync rules edit`'
      : table([['#', 'WHEN', 'CATEGORY', 'PAYEE', 'TAGS'], ...v.rules.map((r) => [String(r.index), r.when, r.category ?? '-', r.payee ?? '-', r.tags.join(' ') || '-'])]),
  );

const collect = (v: string, prev: string[] = []) => [...prev, v];
const amount = (v: string) => {
  if (!/^\d+(\.\d+)?$/.test(v.trim())) throw new InvalidArgumentError(`expected an amount without sign like 12.50, got "${v}"`);
  return v.trim();
};

// The rules modules (and the TOML parser) load only when a rules command runs: every other command starts without them.
const manage = () => import('../../core/rules/manage.js');
const tryRules = () => import('../../core/rules/try-rules.js');

export function registerRules(program: Command, runtimeOf: RuntimeOf): void {
  const rules = program
    .command('rules')
    .description('categorise lines in exports: list, add, remove, test and edit the rules; suggest new ones')
    .addHelpText('after', EXAMPLES)
    .action(async (_o: unknown, cmd: Command) => showRules(runtimeOf(cmd), await (await manage()).listRules(runtimeOf(cmd).services())));

  rules
    .command('list')
    .description('the rules in the order they are tried')
    .action(async (_o: unknown, cmd: Command) => showRules(runtimeOf(cmd), await (await manage()).listRules(runtimeOf(cmd).services())));

  rules
    .command('add')
    .description('add a rule at the end (tried after the others)')
    .option('--match <regex>', 'regular expression looked for in the text (case-insensitive)')
    .option('--contains <text>', 'plain text looked for instead of a regular expression')
    .addOption(new Option('--field <field>', 'where to look').choices(['payee', 'memo', 'any']))
    .option('--case-sensitive', 'let case matter in --match/--contains')
    .option('--account <id>', 'only lines of this account', parseAccountRef)
    .option('--min <amount>', 'smallest amount, without sign, in the account currency', amount)
    .option('--max <amount>', 'largest amount, without sign', amount)
    .addOption(new Option('--direction <dir>', 'out: money leaves the account; in: it arrives').choices(['in', 'out']))
    .option('--category <name>', 'ledger account the line posts to, e.g. Expenses:Groceries')
    .option('--payee <clean>', "payee to export instead of the bank's text")
    .option('--tag <tag>', 'tag to add (repeatable)', collect)
    .action(async (o: AddRuleOptions & { tag?: string[] }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const added = await (await manage()).addRule(rt.services(), { ...o, tags: o.tag });
      rt.out.result({ added }, (v) => `added rule ${v.added.index}: ${v.added.when} → ${v.added.category ?? v.added.payee ?? v.added.tags.join(' ')}`);
    });

  rules
    .command('remove')
    .description('remove a rule by its number (see rules list); the later ones move up')
    .argument('<n>', 'rule number', parsePositiveInt)
    .action(async (n: number, _o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const r = await (await manage()).removeRuleAt(rt.services(), n);
      rt.out.result(r, (v) => `removed rule ${v.removed.index} (${v.removed.when}); ${v.count} left`);
    });

  rules
    .command('test')
    .description('which rule each stored line hits, and which lines hit none (nothing is changed)')
    .option('--account <id>', 'only these accounts (repeatable or a1,a2)', collectAccountRefs)
    .option('--from <date>', 'booking date from (YYYY-MM-DD)', parseDate)
    .option('--to <date>', 'booking date to (YYYY-MM-DD)', parseDate)
    .option('--unmatched', 'list only the lines no rule matches')
    .action(async (o: { account?: number[]; from?: string; to?: string; unmatched?: boolean }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const r = await (await tryRules()).testRules(rt.services(), { accountIds: o.account, from: o.from, to: o.to, unmatchedOnly: o.unmatched });
      await rt.out.result(r, renderTest, { page: true });
    });

  rules
    .command('suggest')
    .description('the most frequent payees no rule matches, proposed as `rules add` commands')
    .option('--account <id>', 'only these accounts (repeatable or a1,a2)', collectAccountRefs)
    .option('--from <date>', 'booking date from (YYYY-MM-DD)', parseDate)
    .option('--to <date>', 'booking date to (YYYY-MM-DD)', parseDate)
    .option('--limit <n>', 'how many suggestions (default 10)', parsePositiveInt)
    .action(async (o: { account?: number[]; from?: string; to?: string; limit?: number }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const r = await (await tryRules()).suggestRules(rt.services(), { accountIds: o.account, from: o.from, to: o.to, limit: o.limit });
      rt.out.result(r, (v) =>
        v.suggestions.length === 0
          ? `nothing to suggest: ${plural(v.unmatched, 'line')} ${v.unmatched === 1 ? 'matches' : 'match'} no rule, no payee among them twice`
          : [
              `${plural(v.unmatched, 'line')} ${v.unmatched === 1 ? 'matches' : 'match'} no rule; the most frequent payees (check the category before you run one):`,
              ...v.suggestions.map((x) => `  # ${x.payee}: ${x.lines} lines\n  ${x.command}`),
            ].join('\n'),
      );
    });

  rules
    .command('edit')
    .description('edit the rules file in $VISUAL or $EDITOR; an invalid file is not saved')
    .option('--file <path>', 'store this file as the rules instead ("-": standard input), after checking it')
    .addHelpText('after', '\nExamples:\n  $ banksync rules edit\n  $ EDITOR=nano banksync rules edit\n  $ banksync rules edit --file rules.toml')
    .action(async (o: { file?: string }, cmd: Command) => (await import('./rules-edit.js')).runRulesEdit(runtimeOf(cmd), o));
}

function renderTest(v: RulesTestResult): string {
  const lines = v.lines.length
    ? table([
        ['ACCOUNT', 'DATE', 'AMOUNT', 'CUR', 'PAYEE', 'RULE', 'CATEGORY'],
        ...v.lines.map((l) => [l.account, l.date, l.amount.padStart(10), l.currency, l.payee ?? l.memo ?? '', l.rule === null ? '-' : String(l.rule), l.category ?? '-']),
      ])
    : '';
  const perRule = v.rules.map((r) => `rule ${r.index} (${r.when}): ${r.lines} line(s)${r.lines === 0 ? ', matches nothing here' : ''}`);
  return [lines, ...(lines ? [''] : []), ...perRule, `no rule: ${v.unmatched} line(s)`].join('\n');
}
