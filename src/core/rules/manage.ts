import { nowIso, type Services } from '../context.js';
import { BanksyncError, badInput } from '../../domain/errors.js';
import { requireAccount } from '../accounts.js';
import { accountRef } from '../../domain/model.js';
import { appendRule, removeRule, ruleToToml } from './edit-text.js';
import { parseRulesFile, RULES_TEMPLATE, type Direction, type RuleField, type RuleSpec } from './file.js';
import { RULES_KEY, rulesText } from './index.js';

/** A rule as `rules list` shows it: its number, what it looks for and what it sets. */
export interface RuleView {
  index: number;
  when: string;
  category: string | null;
  payee: string | null;
  tags: string[];
  rule: RuleSpec;
}

export async function listRules(s: Services): Promise<RuleView[]> {
  return parseRulesFile(await rulesText(s)).map((rule, i) => ({ index: i + 1, when: describeWhen(rule), category: rule.category, payee: rule.payee, tags: rule.tags, rule }));
}

/** The text `rules edit` opens: the stored file, or a commented example when there is none. */
export async function rulesForEditing(s: Services): Promise<{ text: string; stored: boolean }> {
  const text = await rulesText(s);
  return text ? { text, stored: true } : { text: RULES_TEMPLATE, stored: false };
}

/** Stores a whole rules file after checking it; an invalid one is refused and the old one kept. */
export async function saveRules(s: Services, text: string): Promise<{ count: number; changed: boolean }> {
  const rules = parseRulesFile(text);
  const changed = text !== (await rulesText(s));
  if (changed) await s.db.settings.set(RULES_KEY, text.trim() === '' ? null : text, nowIso(s));
  return { count: rules.length, changed };
}

export interface AddRuleOptions {
  match?: string;
  contains?: string;
  field?: RuleField;
  caseSensitive?: boolean;
  account?: number;
  min?: string;
  max?: string;
  direction?: Direction;
  category?: string;
  payee?: string;
  tags?: string[];
}

/** Appends a rule (last: tried after every other) and returns it with its number. */
export async function addRule(s: Services, o: AddRuleOptions): Promise<RuleView> {
  if (o.account !== undefined) await requireAccount(s, o.account);
  if (o.field !== undefined && o.match === undefined && o.contains === undefined) throw badInput('--field needs --match or --contains');
  const spec: RuleSpec = {
    match: o.match ?? null,
    contains: o.contains ?? null,
    field: o.field ?? 'any',
    caseSensitive: o.caseSensitive ?? false,
    account: o.account ?? null,
    min: o.min ?? null,
    max: o.max ?? null,
    direction: o.direction ?? null,
    category: o.category ?? null,
    payee: o.payee ?? null,
    tags: o.tags ?? [],
  };
  checkFlags(spec);
  // Read and write in one transaction: two `rules add` at once both land.
  return s.db.write(async () => {
    const { count } = await saveRules(s, appendRule(await rulesText(s), spec));
    return (await listRules(s))[count - 1]!;
  });
}

const FLAG_OF: Record<string, string> = { tags: '--tag' };

/** A rule from flags is checked alone first, so a mistake names the flag rather than a line of the file. */
function checkFlags(spec: RuleSpec): void {
  try {
    parseRulesFile(ruleToToml(spec));
  } catch (e) {
    if (!(e instanceof BanksyncError)) throw e;
    const message = e.message.replace(/^rule 1(?: \(line \d+\))?, field "([^"]+)"/, (_m, f: string) => FLAG_OF[f] ?? `--${f}`).replace(/^rule 1(?: \(line \d+\))?: /, 'the rule ');
    const hint = e.hint?.replace('give it a category, payee or tags', 'give --category, --payee or --tag').replace('contains = "..."', '--contains TEXT');
    throw new BanksyncError(e.code, message, { hint });
  }
}

export async function removeRuleAt(s: Services, index: number): Promise<{ removed: RuleView; count: number }> {
  return s.db.write(async () => {
    const rules = await listRules(s);
    const removed = rules[index - 1];
    if (!removed) throw badInput(rules.length ? `there is no rule ${index}: rules go from 1 to ${rules.length}` : 'there are no rules', 'see them with: banksync rules list');
    const { count } = await saveRules(s, removeRule(await rulesText(s), index));
    return { removed, count };
  });
}

/** "payee ~ /albert/ · a1 · out · 10-150": the conditions of a rule in one line. */
export function describeWhen(r: RuleSpec): string {
  const parts: string[] = [];
  const where = r.field === 'any' ? 'payee|memo' : r.field;
  if (r.match !== null) parts.push(`${where} ~ /${r.match}/${r.caseSensitive ? '' : 'i'}`);
  if (r.contains !== null) parts.push(`${where} contains "${r.contains}"${r.caseSensitive ? ' (case-sensitive)' : ''}`);
  if (r.account !== null) parts.push(accountRef(r.account));
  if (r.direction !== null) parts.push(r.direction);
  if (r.min !== null || r.max !== null) parts.push(`${r.min ?? '0'}..${r.max ?? ''}`);
  return parts.length ? parts.join(' · ') : 'every line';
}
