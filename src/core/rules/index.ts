import type { Services } from '../context.js';
import { BanksyncError } from '../../domain/errors.js';
import { compileRules, type RuleSet } from './compile.js';

export type { RuleHit, RuleSet } from './compile.js';
import { parseRulesFile } from './file.js';

/**
 * The rules file lives in the database it categorises (per-database settings, key "rules.toml"):
 * one document kept as the user wrote it, comments included, that travels with the books in a
 * backup and never applies to another database. It needs no table of its own.
 */
export const RULES_KEY = 'rules.toml';

export async function rulesText(s: Services): Promise<string> {
  return (await s.db.settings.get(RULES_KEY)) ?? '';
}

let cached: { text: string; set: RuleSet } | undefined;

/** The database's rules, compiled; the last compiled file is reused while its text is the same. */
export async function loadRuleSet(s: Services): Promise<RuleSet> {
  const text = await rulesText(s);
  if (cached?.text !== text) cached = { text, set: compileRules(checkedRules(text)) };
  return cached.set;
}

/** A stored file was checked when saved; one a newer banksync checks more strictly says how to fix it. */
function checkedRules(text: string) {
  try {
    return parseRulesFile(text);
  } catch (e) {
    if (e instanceof BanksyncError && !e.hint) throw new BanksyncError(e.code, e.message, { hint: 'fix it with: banksync rules edit' });
    throw e;
  }
}
