import { parse, TomlError } from 'smol-toml';
import { badInput } from '../../domain/errors.js';
import { ledgerNameProblem } from '../../export/text.js';

/**
 * The rules file: TOML, one `[[rule]]` table per rule, in the order they are tried. Kept as the
 * text the user wrote (comments and all); this module turns it into checked RuleSpecs, and says
 * what is wrong in one line naming the rule, its line and the field.
 */

export type RuleField = 'payee' | 'memo' | 'any';
export type Direction = 'in' | 'out';

/** One rule as the file states it, checked. */
export interface RuleSpec {
  /** Regular expression (`match`) or plain text (`contains`) looked for in `field`; null: any text. */
  match: string | null;
  contains: string | null;
  field: RuleField;
  caseSensitive: boolean;
  /** Account id (a1 → 1); null: every account. */
  account: number | null;
  /** Amount range without sign, as decimal text in the line's currency; inclusive. */
  min: string | null;
  max: string | null;
  direction: Direction | null;
  category: string | null;
  payee: string | null;
  tags: string[];
}

const FIELDS = ['match', 'contains', 'field', 'case-sensitive', 'account', 'min', 'max', 'direction', 'category', 'payee', 'tags'] as const;
const DECIMAL = /^\d+(?:\.\d+)?$/;
const TAG = /^[\p{L}\p{N}_.-]+$/u;

export const RULES_TEMPLATE = `# banksync rules for this database. Each [[rule]] is tried in order; the first that matches a line wins.
# Rules change exports (category, clean payee, tags), never the lines the bank sent.
#
# [[rule]]
# match = "albert heijn|jumbo"     # regular expression, case-insensitive; or: contains = "plain text"
# field = "payee"                   # where to look: payee, memo or any (default)
# account = "a1"                    # only this account
# min = "10.00"                     # amount range without sign, in the account's currency
# max = "150"
# direction = "out"                 # out: money leaves the account; in: it arrives
# category = "Expenses:Groceries"   # ledger account the line posts to
# payee = "Albert Heijn"            # clean payee for exports
# tags = ["food"]
`;

/** Parses and checks a rules file; throws BAD_INPUT naming the rule, its line and the field. */
export function parseRulesFile(text: string): RuleSpec[] {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof TomlError) throw badInput(`rules file, line ${e.line}: ${e.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '')}`);
    throw e;
  }
  for (const key of Object.keys(doc)) {
    if (key !== 'rule') throw badInput(`rules file: unknown table or key "${key}"`, 'each rule starts with a [[rule]] line');
  }
  const rules = doc.rule ?? [];
  if (!Array.isArray(rules)) throw badInput('rules file: "rule" must be a list of tables', 'start each rule with a [[rule]] line');
  const lines = ruleLines(text);
  return rules.map((r, i) => checkRule(r, `rule ${i + 1}${lines.length === rules.length ? ` (line ${lines[i]})` : ''}`));
}

/** Line numbers of the `[[rule]]` headers, to point at a rule in the editor. */
export function ruleLines(text: string): number[] {
  const out: number[] = [];
  text.split('\n').forEach((l, i) => {
    if (/^\s*\[\[\s*rule\s*\]\]/.test(l)) out.push(i + 1);
  });
  return out;
}

function checkRule(raw: unknown, where: string): RuleSpec {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badInput(`${where}: must be a table`);
  const r = raw as Record<string, unknown>;
  const fail = (field: string, problem: string, hint?: string) => badInput(`${where}, field "${field}": ${problem}`, hint);
  for (const key of Object.keys(r)) {
    if (!(FIELDS as readonly string[]).includes(key)) throw fail(key, 'unknown field', `fields: ${FIELDS.join(', ')}`);
  }
  const text = (key: string): string | null => {
    const v = r[key];
    if (v === undefined) return null;
    if (typeof v !== 'string') throw fail(key, 'must be a string in quotes');
    if (v.trim() === '') throw fail(key, 'is empty');
    return v;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T | null => {
    const v = text(key);
    if (v === null) return null;
    if (!(allowed as readonly string[]).includes(v)) throw fail(key, `must be ${allowed.join(' or ')}, not "${v}"`);
    return v as T;
  };
  const amount = (key: string): string | null => {
    const v = r[key];
    if (v === undefined) return null;
    const s = typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : null;
    if (s === null || !DECIMAL.test(s)) {
      if (s !== null && /^[+-]/.test(s)) throw fail(key, `amounts are sizes without a sign, got "${s}"`, 'say in or out with direction = "out"');
      throw fail(key, `must be a decimal amount like "12.50", got ${JSON.stringify(v)}`);
    }
    return s;
  };

  const match = text('match');
  const contains = text('contains');
  if (match !== null && contains !== null) throw fail('contains', 'a rule has either "match" or "contains", not both');
  const caseSensitive = r['case-sensitive'] ?? false;
  if (typeof caseSensitive !== 'boolean') throw fail('case-sensitive', 'must be true or false');
  if (match !== null) {
    const problem = regexProblem(match, caseSensitive);
    if (problem) throw fail('match', `not a regular expression: ${problem}`, 'for plain text use contains = "..."');
  }
  const fieldGiven = oneOf<RuleField>('field', ['payee', 'memo', 'any']);
  if (fieldGiven !== null && match === null && contains === null) throw fail('field', 'says where to look, but the rule has no "match" or "contains"');

  const accountText = text('account');
  let account: number | null = null;
  if (accountText !== null) {
    const m = /^a?(\d+)$/i.exec(accountText.trim());
    if (!m || Number(m[1]) < 1) throw fail('account', `expected an account id like "a1", got "${accountText}"`);
    account = Number(m[1]);
  }
  const min = amount('min');
  const max = amount('max');
  if (min !== null && max !== null && compareDecimal(min, max) > 0) throw fail('max', `${max} is below min ${min}`);

  const category = text('category');
  if (category !== null) {
    const problem = ledgerNameProblem(category, 'ledger');
    if (problem) throw fail('category', `"${category}" is not a ledger account name: ${problem}`);
  }
  const payee = text('payee');
  // eslint-disable-next-line no-control-regex
  if (payee !== null && /[\u0000-\u001f\u007f]/.test(payee)) throw fail('payee', 'may not hold line breaks or control characters');
  const tagsRaw = r.tags ?? [];
  if (!Array.isArray(tagsRaw) || tagsRaw.some((t) => typeof t !== 'string')) throw fail('tags', 'must be a list of strings, like ["food", "weekly"]');
  const tags = tagsRaw as string[];
  const badTag = tags.find((t) => !TAG.test(t));
  if (badTag !== undefined) throw fail('tags', `"${badTag}" is not a tag: letters, digits, "_", "." and "-" only`);
  if (category === null && payee === null && tags.length === 0) throw badInput(`${where}: sets nothing`, 'give it a category, payee or tags');

  return { match, contains, field: fieldGiven ?? 'any', caseSensitive, account, min, max, direction: oneOf<Direction>('direction', ['in', 'out']), category, payee, tags };
}

export function regexProblem(source: string, caseSensitive = false): string | null {
  try {
    new RegExp(source, caseSensitive ? '' : 'i');
    return null;
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: /, '');
  }
}

/** Compares two unsigned decimal texts exactly. */
export function compareDecimal(a: string, b: string): number {
  const [ai, af = ''] = a.split('.');
  const [bi, bf = ''] = b.split('.');
  const width = Math.max(af.length, bf.length);
  const x = BigInt(ai! + af.padEnd(width, '0'));
  const y = BigInt(bi! + bf.padEnd(width, '0'));
  return x < y ? -1 : x > y ? 1 : 0;
}
