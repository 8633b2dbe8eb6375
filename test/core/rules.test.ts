import { describe, expect, it } from 'vitest';
import { compileRules, toMinor } from '../../src/core/rules/compile.js';
import { appendRule, removeRule } from '../../src/core/rules/edit-text.js';
import { parseRulesFile, RULES_TEMPLATE } from '../../src/core/rules/file.js';
import type { Transaction } from '../../src/domain/model.js';

const line = (o: Partial<Transaction>): Transaction => ({
  id: 't1',
  accountId: 1,
  externalId: null,
  bookingDate: '2026-01-02',
  valueDate: null,
  amountMinor: -4_250,
  currency: 'EUR',
  payee: 'ALBERT HEIJN 1234 AMSTERDAM',
  memo: 'Card payment',
  type: 'pos',
  counterpartyIban: null,
  source: 'sandbox',
  ...o,
});
const rules = (toml: string) => compileRules(parseRulesFile(toml));
const hit = (toml: string, o: Partial<Transaction> = {}) => rules(toml).match(line(o))?.index ?? null;

describe('rule matching', () => {
  it('ignores case by default, as hledger rules do; case-sensitive = true makes it matter', () => {
    expect(hit('[[rule]]\nmatch = "albert heijn"\ncategory = "Expenses:Food"')).toBe(1);
    expect(hit('[[rule]]\nmatch = "albert heijn"\ncase-sensitive = true\ncategory = "Expenses:Food"')).toBeNull();
    expect(hit('[[rule]]\nmatch = "ALBERT"\ncase-sensitive = true\ncategory = "Expenses:Food"')).toBe(1);
  });

  it('match is a regular expression; contains is plain text (its regex characters mean themselves)', () => {
    expect(hit('[[rule]]\nmatch = "^albert .* amsterdam$"\ncategory = "Expenses:Food"')).toBe(1);
    expect(hit('[[rule]]\nmatch = "jumbo|heijn"\ncategory = "Expenses:Food"')).toBe(1);
    expect(hit('[[rule]]\ncontains = "(1234)"\ncategory = "Expenses:Food"', { payee: 'Shop (1234)' })).toBe(1);
    expect(hit('[[rule]]\ncontains = "(1234)"\ncategory = "Expenses:Food"')).toBeNull();
    expect(hit('[[rule]]\ncontains = "a.b"\ncategory = "Expenses:Food"', { payee: 'axb' })).toBeNull();
  });

  it('field chooses payee, memo or either', () => {
    const memo = (field: string) => `[[rule]]\nmatch = "card payment"\nfield = "${field}"\ncategory = "Expenses:Card"`;
    expect(hit(memo('memo'))).toBe(1);
    expect(hit(memo('payee'))).toBeNull();
    expect(hit(memo('any'))).toBe(1);
    expect(hit('[[rule]]\nmatch = "card"\ncategory = "Expenses:Card"', { payee: null, memo: null })).toBeNull();
  });

  it('amount range: sizes without sign, inclusive, in minor units of the line currency', () => {
    const range = '[[rule]]\nmin = "42.50"\nmax = "100"\ncategory = "Expenses:Big"';
    expect(hit(range, { amountMinor: -4_250 })).toBe(1);
    expect(hit(range, { amountMinor: 4_249 })).toBeNull();
    expect(hit(range, { amountMinor: 10_000 })).toBe(1);
    expect(hit(range, { amountMinor: -10_001 })).toBeNull();
    // JPY has no decimals: 42.50 means at least 43 yen, 100 at most 100 yen.
    expect(hit(range, { amountMinor: -42, currency: 'JPY' })).toBeNull();
    expect(hit(range, { amountMinor: -43, currency: 'JPY' })).toBe(1);
    expect(hit(range, { amountMinor: -100, currency: 'JPY' })).toBe(1);
    expect(hit('[[rule]]\nmin = 10.5\ncategory = "Expenses:Big"', { amountMinor: -1_050 })).toBe(1);
    expect([toMinor('12.345', 2, 'up'), toMinor('12.345', 2, 'down'), toMinor('7', 3, 'up')]).toEqual([1_235, 1_234, 7_000]);
  });

  it('direction: out is money leaving, in is money arriving', () => {
    const dir = (d: string) => `[[rule]]\ndirection = "${d}"\ncategory = "Expenses:X"`;
    expect(hit(dir('out'), { amountMinor: -1 })).toBe(1);
    expect(hit(dir('out'), { amountMinor: 1 })).toBeNull();
    expect(hit(dir('in'), { amountMinor: 1 })).toBe(1);
    expect(hit(dir('in'), { amountMinor: -1 })).toBeNull();
  });

  it('account limits a rule to one account', () => {
    const acc = '[[rule]]\naccount = "a2"\ncategory = "Expenses:X"';
    expect(hit(acc, { accountId: 2 })).toBe(1);
    expect(hit(acc, { accountId: 1 })).toBeNull();
  });

  it('the first matching rule wins, and its hit says what it sets', () => {
    const set = rules(`
[[rule]]
match = "jumbo"
category = "Expenses:Jumbo"

[[rule]]
match = "albert"
category = "Expenses:Food"
payee = "Albert Heijn"
tags = ["food", "weekly"]

[[rule]]
match = "heijn"
category = "Expenses:Never"
`);
    expect(set.size).toBe(3);
    expect(set.match(line({}))).toEqual({ index: 2, category: 'Expenses:Food', payee: 'Albert Heijn', tags: ['food', 'weekly'] });
    expect(set.match(line({ payee: 'Other', memo: null }))).toBeNull();
    expect([...set.categories]).toEqual([
      ['Expenses:Jumbo', 1],
      ['Expenses:Food', 2],
      ['Expenses:Never', 3],
    ]);
  });

  it('a rule without conditions matches every line (a catch-all at the end)', () => {
    expect(hit('[[rule]]\nmatch = "nothing like it"\ncategory = "Expenses:A"\n[[rule]]\ncategory = "Expenses:Rest"')).toBe(2);
  });

  it('an empty file and the editing template hold no rules', () => {
    expect(rules('').size).toBe(0);
    expect(rules(RULES_TEMPLATE).size).toBe(0);
  });
});

describe('a bad rules file: one error naming the rule and the field', () => {
  const error = (toml: string) => {
    try {
      parseRulesFile(toml);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  it.each([
    ['[[rule]]\nmatch = "("\ncategory = "Expenses:X"', /^rule 1 \(line 1\), field "match": not a regular expression/],
    ['[[rule]]\ncategory = "Expenses:X"\n\n[[rule]]\nmatch = "x"\ncategory = "Expenses"', /^rule 2 \(line 4\), field "category": "Expenses" is not a ledger account name/],
    ['[[rule]]\nmatch = "x"\ncategory = "Expenses:Food;Drink"', /field "category".*may not hold/],
    ['[[rule]]\nmatch = "x"\ncatgory = "Expenses:X"', /^rule 1 \(line 1\), field "catgory": unknown field/],
    ['[[rule]]\nmin = "-5"\ncategory = "Expenses:X"', /field "min": amounts are sizes without a sign/],
    ['[[rule]]\nmin = "abc"\ncategory = "Expenses:X"', /field "min": must be a decimal amount/],
    ['[[rule]]\nmin = "10"\nmax = "5"\ncategory = "Expenses:X"', /field "max": 5 is below min 10/],
    ['[[rule]]\ndirection = "sideways"\ncategory = "Expenses:X"', /field "direction": must be in or out/],
    ['[[rule]]\naccount = "checking"\ncategory = "Expenses:X"', /field "account": expected an account id/],
    ['[[rule]]\nmatch = "x"\ncontains = "y"\ncategory = "Expenses:X"', /field "contains": a rule has either/],
    ['[[rule]]\nfield = "memo"\ncategory = "Expenses:X"', /field "field": says where to look/],
    ['[[rule]]\nmatch = "x"\ntags = "food"', /field "tags": must be a list/],
    ['[[rule]]\nmatch = "x"\ntags = ["two words"]', /field "tags": "two words" is not a tag/],
    ['[[rule]]\nmatch = "x"', /^rule 1 \(line 1\): sets nothing/],
    ['[[rule]]\nmatch = "x\ncategory = "Expenses:X"', /^rules file, line 2: /],
    ['[rules]\nx = 1', /unknown table or key "rules"/],
  ])('%s', (toml, message) => {
    expect(error(toml)).toMatch(message);
  });
});

describe('rules add and remove keep the rest of the file as written', () => {
  const spec = parseRulesFile('[[rule]]\nmatch = "a\\\\d+"\ncategory = "Expenses:A"')[0]!;
  it('appends a rule and removes one with the comments above it', () => {
    const start = '# my rules\n\n# groceries\n[[rule]]\nmatch = "jumbo"\ncategory = "Expenses:Food"\n\n# rent\n[[rule]]\ncontains = "Housing"\ncategory = "Expenses:Rent"\n';
    const added = appendRule(start, spec);
    expect(added.startsWith(start.trimEnd())).toBe(true);
    expect(parseRulesFile(added).map((r) => r.category)).toEqual(['Expenses:Food', 'Expenses:Rent', 'Expenses:A']);
    expect(parseRulesFile(added)[2]!.match).toBe('a\\d+');
    const removed = removeRule(added, 2);
    expect(removed).toContain('# my rules');
    expect(removed).toContain('# groceries');
    expect(removed).not.toContain('# rent');
    expect(parseRulesFile(removed).map((r) => r.category)).toEqual(['Expenses:Food', 'Expenses:A']);
  });

  it('rules written as an inline list are written out again', () => {
    const inline = 'rule = [{ match = "a", category = "Expenses:A" }, { match = "b", category = "Expenses:B" }]';
    expect(parseRulesFile(removeRule(inline, 1)).map((r) => r.category)).toEqual(['Expenses:B']);
  });
});
