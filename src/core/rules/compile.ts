import { currencyDigits } from '../../domain/money.js';
import type { Transaction } from '../../domain/model.js';
import type { RuleSpec } from './file.js';

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
  /** Every category a rule sets, with the first rule setting it (beancount opens them; checks name the rule). */
  readonly categories: ReadonlyMap<string, number>;
  /** First match wins; null when no rule matches. */
  match(line: Transaction): RuleHit | null;
}

/**
 * Rules compiled once into plain tests: an export of a million lines asks for every line, so a
 * match costs a few comparisons and at most two regex tests per rule, and allocates nothing (each
 * rule's hit is one frozen object).
 */

interface Compiled {
  account: number | null;
  out: boolean | null;
  /** Bounds in minor units, by currency (the decimal text means a different number of units in JPY and EUR). */
  bounds: ((currency: string) => [number, number]) | null;
  regex: RegExp | null;
  inPayee: boolean;
  inMemo: boolean;
  hit: RuleHit;
}

export function compileRules(specs: readonly RuleSpec[]): RuleSet {
  const rules = specs.map(compileOne);
  const categories = new Map<string, number>();
  specs.forEach((r, i) => {
    if (r.category !== null && !categories.has(r.category)) categories.set(r.category, i + 1);
  });
  return {
    size: rules.length,
    categories,
    match(line: Transaction): RuleHit | null {
      for (const r of rules) {
        if (r.account !== null && r.account !== line.accountId) continue;
        if (r.out !== null && r.out !== line.amountMinor < 0) continue;
        if (r.bounds) {
          const size = Math.abs(line.amountMinor);
          const [lo, hi] = r.bounds(line.currency);
          if (size < lo || size > hi) continue;
        }
        if (r.regex) {
          const found = (r.inPayee && line.payee !== null && r.regex.test(line.payee)) || (r.inMemo && line.memo !== null && r.regex.test(line.memo));
          if (!found) continue;
        }
        return r.hit;
      }
      return null;
    },
  };
}

function compileOne(r: RuleSpec, i: number): Compiled {
  const source = r.match ?? (r.contains !== null ? escapeRegex(r.contains) : null);
  return {
    account: r.account,
    // 'in' takes zero-amount lines too, as the journals post them to the income side.
    out: r.direction === null ? null : r.direction === 'out',
    bounds: r.min === null && r.max === null ? null : boundsOf(r.min, r.max),
    // No 'g' or 'y' flag: test() then keeps no state between lines.
    regex: source === null ? null : new RegExp(source, r.caseSensitive ? '' : 'i'),
    inPayee: r.field !== 'memo',
    inMemo: r.field !== 'payee',
    hit: Object.freeze({ index: i + 1, category: r.category, payee: r.payee, tags: Object.freeze([...r.tags]) }),
  };
}

function boundsOf(min: string | null, max: string | null): (currency: string) => [number, number] {
  const cache = new Map<string, [number, number]>();
  return (currency) => {
    let b = cache.get(currency);
    if (!b) {
      const digits = currencyDigits(currency);
      b = [min === null ? 0 : toMinor(min, digits, 'up'), max === null ? Infinity : toMinor(max, digits, 'down')];
      cache.set(currency, b);
    }
    return b;
  };
}

/**
 * An unsigned decimal text in minor units of a currency with `digits` decimals. More decimals than
 * the currency has round inwards: min 12.345 EUR means at least 12.35, max 12.345 at most 12.34.
 */
export function toMinor(value: string, digits: number, round: 'up' | 'down'): number {
  const [whole, frac = ''] = value.split('.');
  const units = BigInt(whole! + frac.padEnd(digits, '0').slice(0, digits));
  const rest = frac.slice(digits);
  const bumped = round === 'up' && /[1-9]/.test(rest) ? units + 1n : units;
  return bumped > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(bumped);
}

export const escapeRegex = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
