import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, CliSandbox, CONNECT_SANDBOX } from '../helpers/cli.js';
import { onTerminal } from '../helpers/terminal.js';
import { requireTools, toolAsync } from '../helpers/tools.js';

const NOW = { BANKSYNC_NOW: '2026-11-22T07:00:00Z' };

describe('rules through the CLI on the sandbox bank', () => {
  const cli = new CliSandbox({ inProcess: true });
  const run = (args: string[], extra = {}, input?: string) => cli.runAsync(args, { ...NOW, ...extra }, input);
  const json = (args: string[]) => cli.jsonAsync(args, NOW);
  const hledger = async (file: string, ...args: string[]) => toolAsync('hledger', ['-f', file, ...args]);

  beforeAll(async () => {
    requireTools('hledger', 'script');
    expect((await run(CONNECT_SANDBOX)).code).toBe(0);
    expect((await run(['sync', '--all'])).code).toBe(0);
  });
  afterAll(() => cli.cleanup());

  it('rules add → the journal posts to the category and checks; a changed rule re-posts through the target, still balanced', async () => {
    const added = await json(['rules', 'add', '--match', 'albert heijn', '--field', 'payee', '--category', 'Expenses:Groceries', '--payee', 'AH', '--tag', 'food']);
    expect(added.added).toMatchObject({ index: 1, category: 'Expenses:Groceries', payee: 'AH', tags: ['food'] });
    const first = join(cli.dir, 'first.journal');
    expect((await run(['export', '--format', 'hledger', '--target', 'books', '--output', first])).code).toBe(0);
    expect((await hledger(first, 'check')).code).toBe(0);
    const groceries = (await hledger(first, 'bal', '--flat', '-N', 'Expenses:Groceries')).out;
    expect(groceries).toMatch(/^\s+[1-9][\d.]* EUR {2}Expenses:Groceries\n$/);

    // Another category for the same lines: the target gets each of them again, reversed and re-posted.
    expect((await run(['rules', 'remove', '1'])).code).toBe(0);
    expect((await run(['rules', 'add', '--contains', 'Albert Heijn', '--category', 'Expenses:Food:Supermarket'])).code).toBe(0);
    const second = join(cli.dir, 'second.journal');
    const inc = await run(['--json', 'export', '--target', 'books', '--output', second]);
    const result = JSON.parse(inc.stdout);
    expect(result).toMatchObject({ incremental: true, new: 0, removed: 0 });
    expect(result.changed).toBeGreaterThan(0);
    const text = readFileSync(second, 'utf8');
    expect(text.match(/\* Reversal: Albert Heijn\n/g)).toHaveLength(result.changed);
    const all = join(cli.dir, 'all.journal');
    writeFileSync(all, readFileSync(first, 'utf8') + text);
    const check = await hledger(all, 'check');
    expect(check.code, check.out).toBe(0);
    const moved = (await hledger(all, 'bal', '--flat', '-N', 'Expenses:Groceries', 'Expenses:Food')).out;
    expect(moved).toBe(groceries.replace('Expenses:Groceries', 'Expenses:Food:Supermarket'));
    expect((await run(['export', '--target', 'books'])).stdout).not.toContain('Reversal');
  });

  it('rules list, test and suggest', async () => {
    const { rules } = await json(['rules', 'list']);
    expect(rules.map((r: { index: number; category: string }) => [r.index, r.category])).toEqual([[1, 'Expenses:Food:Supermarket']]);

    const tested = await json(['rules', 'test', '--account', 'a1', '--from', '2025-01-01', '--to', '2025-01-31']);
    expect(tested.lines.length).toBe(tested.matched + tested.unmatched);
    for (const l of tested.lines) {
      expect(l.account).toBe('a1');
      expect(l.rule).toBe(/albert heijn/i.test(l.payee ?? '') || /albert heijn/i.test(l.memo ?? '') ? 1 : null);
    }
    expect(tested.rules[0].lines).toBe(tested.matched);
    expect(tested.matched).toBeGreaterThan(0);
    const unmatched = await json(['rules', 'test', '--account', 'a1', '--from', '2025-01-01', '--to', '2025-01-31', '--unmatched']);
    expect(unmatched.lines.length).toBe(tested.unmatched);
    const human = await run(['rules', 'test', '--account', 'a1', '--from', '2025-01-01', '--to', '2025-01-31']);
    expect(human.stdout).toMatch(/^rule 1 \(payee\|memo contains "Albert Heijn"\): \d+ line\(s\)$/m);
    expect(human.stdout).toMatch(/^no rule: \d+ line\(s\)$/m);

    const { suggestions } = await json(['rules', 'suggest', '--limit', '3']);
    expect(suggestions).toHaveLength(3);
    expect(suggestions.map((x: { payee: string }) => x.payee)).not.toContain('Albert Heijn');
    expect(suggestions[0].lines).toBeGreaterThanOrEqual(suggestions[1].lines);
    // A suggestion runs as it is, and its payee then no longer comes up.
    expect(suggestions[0].command).toBe(`banksync rules add ${suggestions[0].args.map((w: string) => (/ /.test(w) ? `'${w}'` : w)).join(' ')}`);
    expect((await run(['rules', 'add', ...suggestions[0].args])).code).toBe(0);
    const after = await json(['rules', 'suggest', '--limit', '3']);
    expect(after.suggestions.map((x: { payee: string }) => x.payee)).not.toContain(suggestions[0].payee);
    expect((await run(['rules', 'remove', '2'])).code).toBe(0);
  });

  it('bad input: one line naming the flag or the rule, exit 2, rules unchanged', async () => {
    const before = await json(['rules', 'list']);
    for (const [args, message] of [
      [['rules', 'add', '--match', '(', '--category', 'Expenses:X'], /^error: --match: not a regular expression/],
      [['rules', 'add', '--match', 'x', '--category', 'Expenses'], /^error: --category: "Expenses" is not a ledger account name/],
      [['rules', 'add', '--match', 'x'], /^error: the rule sets nothing — give --category, --payee or --tag/],
      [['rules', 'add', '--match', 'x', '--account', 'a9', '--category', 'Expenses:X'], /a9/],
      [['rules', 'remove', '9'], /^error: there is no rule 9: rules go from 1 to 1/],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await json(['rules', 'list'])).toEqual(before);
  });

  it('rules edit: no terminal → exit 4 naming the scripted ways; --file stores a checked file, refuses a bad one', async () => {
    const noTty = await run(['rules', 'edit']);
    expect(noTty.code).toBe(4);
    expect(noTty.stderr).toMatch(/no terminal.*rules add.*rules remove.*rules edit --file/);

    const good = join(cli.dir, 'good.toml');
    writeFileSync(good, '# mine\n[[rule]]\nmatch = "rent"\nfield = "memo"\ndirection = "out"\nmin = "500"\ncategory = "Expenses:Housing"\n');
    expect(await json(['rules', 'edit', '--file', good])).toEqual({ saved: true, count: 1 });
    const bad = join(cli.dir, 'bad.toml');
    writeFileSync(bad, '[[rule]]\nmatch = "rent"\ncategory = "Expenses:Housing"\n\n[[rule]]\nmatch = "x"\ndirection = "up"\ncategory = "Expenses:X"\n');
    const refused = await run(['rules', 'edit', '--file', bad]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: rule 2 \(line 5\), field "direction": must be in or out, not "up"\n$/);
    const viaStdin = await run(['--json', 'rules', 'edit', '--file', '-'], {}, readFileSync(good, 'utf8').replace('500', '600'));
    expect(JSON.parse(viaStdin.stdout)).toEqual({ saved: true, count: 1 });
    expect((await json(['rules', 'list'])).rules[0].rule.min).toBe('600');
  });

  it('rules edit at a terminal: the editor saves; an invalid file is offered again, or the old rules are kept', async () => {
    const banksync = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)}`;
    const editor = join(cli.dir, 'editor.sh');
    // Each run of the "editor" writes the next prepared version of the file.
    writeFileSync(editor, `#!/bin/sh\nn=$(cat "${cli.dir}/edits" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "${cli.dir}/edits"\ncp "${cli.dir}/edit$n.toml" "$1"\n`);
    chmodSync(editor, 0o755);
    const prepare = (...versions: string[]) => {
      writeFileSync(join(cli.dir, 'edits'), '0');
      versions.forEach((v, i) => writeFileSync(join(cli.dir, `edit${i + 1}.toml`), v));
    };
    const valid = '[[rule]]\ncontains = "coffee corner"\ncategory = "Expenses:Coffee"\n';
    const invalid = '[[rule]]\ncontains = "coffee corner"\ncategory = "Coffee"\n';

    prepare(invalid, valid);
    const again = await onTerminal(cli, `${banksync} rules edit`, { ...NOW, EDITOR: editor }, [{ waitFor: /Edit the rules again/, answer: 'y\r' }]);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toMatch(/rule 1 \(line 1\), field "category": "Coffee" is not a ledger account name/);
    expect(again.output).toMatch(/rules saved: 1 rule/);
    expect((await json(['rules', 'list'])).rules.map((r: { category: string }) => r.category)).toEqual(['Expenses:Coffee']);

    prepare(invalid);
    const giveUp = await onTerminal(cli, `${banksync} rules edit`, { ...NOW, VISUAL: editor, EDITOR: 'false' }, [{ waitFor: /Edit the rules again/, answer: 'n\r' }]);
    expect(giveUp.code, giveUp.output).toBe(2);
    expect(giveUp.output).toMatch(/rules not saved/);
    expect((await json(['rules', 'list'])).rules.map((r: { category: string }) => r.category)).toEqual(['Expenses:Coffee']);

    // Someone adds a rule while the editor is open: the edit is not saved over it, and is kept.
    const meddler = join(cli.dir, 'meddler.sh');
    writeFileSync(meddler, `#!/bin/sh\n${banksync} rules add --contains zzz --category Expenses:Z >/dev/null\ncp "${cli.dir}/edit1.toml" "$1"\n`);
    chmodSync(meddler, 0o755);
    prepare(valid.replace('Expenses:Coffee', 'Expenses:Mine'));
    const raced = await onTerminal(cli, `${banksync} rules edit`, { ...NOW, EDITOR: meddler, TMPDIR: cli.dir });
    expect(raced.code, raced.output).toBe(2);
    expect(raced.output).toMatch(/changed by another command while you edited them; nothing was saved/);
    const kept = /your version is in (\S+rules\.toml)/.exec(raced.output.replace(/\r?\n/g, ''))![1]!;
    expect(kept.startsWith(cli.dir)).toBe(true);
    expect(readFileSync(kept, 'utf8')).toContain('Expenses:Mine');
    expect((await json(['rules', 'list'])).rules.map((r: { category: string }) => r.category)).toEqual(['Expenses:Coffee', 'Expenses:Z']);

    const failing = await onTerminal(cli, `${banksync} rules edit`, { ...NOW, EDITOR: 'false' });
    expect(failing.code).toBe(2);
    expect(failing.output).toMatch(/the editor "false" exited with status 1; nothing was saved/);
  });
});
