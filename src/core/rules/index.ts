import type { Services } from '../context.js';
import type { Transaction } from '../model.js';

/** What the first matching rule sets on a line. */
export interface RuleHit {
  /** 1-based position of the rule in the rules file. */
  index: number;
  category: string | null;
  payee: string | null;
  tags: readonly string[];
}

export interface RuleSet {
  readonly size: number;
  /** First match wins; null when no rule matches. */
  match(line: Transaction): RuleHit | null;
}

/** The database's rules. Contract stub: no rules yet (issue 18 fills it). */
export function loadRuleSet(_s: Services): RuleSet {
  return { size: 0, match: () => null };
}
