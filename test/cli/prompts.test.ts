import { beforeEach, describe, expect, it, vi } from 'vitest';

// What @inquirer/prompts was asked to show; each prompt answers with the first choice's value.
const shown: { message: string; choices?: { name: string; value: unknown }[] }[] = [];
vi.mock('@inquirer/prompts', () => {
  const ask = async (config: { message: string; choices?: { name: string; value: unknown }[] }) => {
    shown.push(config);
    return config.choices ? config.choices[0]!.value : 'typed';
  };
  return { select: ask, checkbox: async (c: Parameters<typeof ask>[0]) => [await ask(c)], confirm: ask, input: ask, password: ask };
});

const { createPrompts } = await import('../../src/cli/prompts.js');

const EVIL = 'Main\u001b[2J\u001b]0;pwned\u0007\u202eAccount';
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

describe('prompts show a bank’s names neutralised and hand back the original values', () => {
  beforeEach(() => (shown.length = 0));

  it('account picking (checkbox) and institution picking (select)', async () => {
    const prompts = createPrompts(true);
    const account = { name: EVIL };
    expect(await prompts.checkbox(`Which accounts at ${EVIL}?`, [{ name: `${EVIL} (EUR)`, value: account, checked: true }], '--accounts')).toEqual([account]);
    expect(await prompts.select('Which institution?', [{ name: EVIL, value: 'id-1' }], '--institution')).toBe('id-1');
    for (const s of shown) {
      expect(s.message).not.toMatch(CONTROL);
      for (const c of s.choices ?? []) expect(c.name).not.toMatch(CONTROL);
    }
    expect(shown[0]!.choices![0]!.name).toBe('Main\\x1b[2J\\x1b]0;pwned\\x07\\u202eAccount (EUR)');
    expect(shown[0]!.choices![0]!.value).toBe(account);
  });

  it('confirm and input messages quoting an institution name', async () => {
    const prompts = createPrompts(true);
    await prompts.confirm(`Give consent at ${EVIL}?`, '--yes');
    await prompts.input(`SCA code sent by ${EVIL}`, '--sca-code', { secret: true });
    await prompts.input(`Search ${EVIL}`, '--institution');
    expect(shown).toHaveLength(3);
    for (const s of shown) expect(s.message).not.toMatch(CONTROL);
  });
});
