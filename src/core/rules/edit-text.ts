import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'smol-toml';
import { parseRulesFile, ruleLines, type RuleSpec } from './file.js';

/**
 * `rules add` and `rules remove` change the file the user may also edit by hand: they touch only
 * the rule concerned, so the user's comments and layout stay as written.
 */

/** The TOML table of one rule, defaults left out. */
export function ruleToToml(r: RuleSpec): string {
  const t: Record<string, unknown> = {};
  if (r.match !== null) t.match = r.match;
  if (r.contains !== null) t.contains = r.contains;
  if ((r.match !== null || r.contains !== null) && r.field !== 'any') t.field = r.field;
  if (r.caseSensitive) t['case-sensitive'] = true;
  if (r.account !== null) t.account = `a${r.account}`;
  if (r.min !== null) t.min = r.min;
  if (r.max !== null) t.max = r.max;
  if (r.direction !== null) t.direction = r.direction;
  if (r.category !== null) t.category = r.category;
  if (r.payee !== null) t.payee = r.payee;
  if (r.tags.length) t.tags = r.tags;
  return stringify({ rule: [t] }).trimEnd() + '\n';
}

/** The file with a rule added at the end. */
export function appendRule(text: string, rule: RuleSpec): string {
  const base = text.trimEnd();
  return `${base}${base ? '\n\n' : ''}${ruleToToml(rule)}`;
}

/**
 * The file without its rule number `index` (1-based): the rule's block and the comment lines just
 * above its header go. When the file's layout does not allow that (rules written as inline
 * tables), the rules are written out again, without the comments.
 */
export function removeRule(text: string, index: number): string {
  const rules = parseRulesFile(text);
  const wanted = rules.filter((_, i) => i !== index - 1);
  const headers = ruleLines(text);
  if (headers.length === rules.length) {
    const lines = text.split('\n');
    const startOf = (n: number) => {
      // A rule's block starts with the comments directly above its header.
      let i = headers[n - 1]! - 1;
      while (i > 0 && /^\s*#/.test(lines[i - 1]!)) i--;
      return i;
    };
    const start = startOf(index);
    const end = index < headers.length ? startOf(index + 1) : lines.length;
    const cut = [...lines.slice(0, start), ...lines.slice(end)].join('\n').replace(/\n{3,}/g, '\n\n');
    if (isDeepStrictEqual(parseRulesFile(cut), wanted)) return cut;
  }
  return wanted.map(ruleToToml).join('\n');
}
