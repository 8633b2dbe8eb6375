import { describe, expect, it } from 'vitest';
import { safeJson, safeLines, safeText, safeView } from '../../src/cli/safe-text.js';

// Every character a terminal may obey: C0, DEL, C1, bidi controls, line/paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

/** What a hostile bank or file can put in a payee, a memo or a name. */
const HOSTILE = [
  ['ESC[2J clears the screen', '\u001b[2J', '\\x1b[2J'],
  ['an OSC window title ended by BEL', '\u001b]0;pwned\u0007', '\\x1b]0;pwned\\x07'],
  ['an OSC ended by ST', '\u001b]8;;http://x\u001b\\', '\\x1b]8;;http://x\\x1b\\'],
  ['CR overwrites the line', 'ok\rFAKE', 'ok\\rFAKE'],
  ['backspaces', 'abc\b\b\b', 'abc\\x08\\x08\\x08'],
  ['a newline forges a line', 'a\nerror: b', 'a\\nerror: b'],
  ['a tab', 'a\tb', 'a\\tb'],
  ['NUL and DEL', 'a\u0000b\u007f', 'a\\x00b\\x7f'],
  ['the C1 CSI (8-bit ESC[)', '\u009b31m', '\\x9b31m'],
  ['C1 NEL and OSC', '\u0085\u009d', '\\x85\\x9d'],
  ['a right-to-left override', 'invoice\u202efdp.exe', 'invoice\\u202efdp.exe'],
  ['bidi isolates and marks', '\u2066\u2067\u2068\u2069\u200e\u200f\u061c', '\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c'],
  ['line and paragraph separators', '\u2028\u2029', '\\u2028\\u2029'],
] as const;

describe('safeText', () => {
  it.each(HOSTILE)('shows %s as visible escapes', (_what, raw, shown) => {
    expect(safeText(raw)).toBe(shown);
    expect(safeText(raw)).not.toMatch(CONTROL);
  });

  it('leaves ordinary text alone: accents, other scripts, emoji with joiners, the euro sign', () => {
    for (const s of ['Café de Zon', 'Käyttötili', 'מכולת', 'スーパー', '👩‍👩‍👧 family', '€ 12,50', 'C:\\path']) expect(safeText(s)).toBe(s);
  });

  it('makes every code point of U+0000–U+00A0 that a terminal acts on visible, and no other', () => {
    for (let c = 0; c <= 0xa0; c++) {
      const ch = String.fromCharCode(c);
      const out = safeText(ch);
      if (CONTROL.test(ch)) expect(out, `U+${c.toString(16)}`).toMatch(/^\\(x[0-9a-f]{2}|[tnr])$/);
      else expect(out).toBe(ch);
    }
  });
});

describe('safeLines', () => {
  it('keeps our line breaks and, with colour on, our SGR colours; escapes every other control', () => {
    const ours = '\u001b[31mfailed\u001b[39m\nnext line';
    expect(safeLines(ours, true)).toBe(ours);
    expect(safeLines(`${ours}\u001b[2J\u001b]0;t\u0007\r\u202e`, true)).toBe(`${ours}\\x1b[2J\\x1b]0;t\\x07\\r\\u202e`);
  });

  it('with colour off, escapes SGR too (nothing of ours has any)', () => {
    expect(safeLines('a\u001b[31mb\nc', false)).toBe('a\\x1b[31mb\nc');
  });
});

describe('safeView', () => {
  it('copies plain objects and arrays with every string neutralised, numbers and nulls kept, the original untouched', () => {
    const data = { rows: [{ payee: 'Evil\u001b[2J', amount: '-1.00', minor: -100, memo: null, ok: true }], name: '\u202eX' };
    const view = safeView(data);
    expect(view).toEqual({ rows: [{ payee: 'Evil\\x1b[2J', amount: '-1.00', minor: -100, memo: null, ok: true }], name: '\\u202eX' });
    expect(data.rows[0]!.payee).toBe('Evil\u001b[2J');
  });
});

describe('safeJson', () => {
  it('escapes the C1 and bidi characters JSON.stringify leaves raw; the parsed values are the original', () => {
    const data = { payee: 'a\u001b[2J\u0007b', memo: '\u009b31m \u202e \u2028 \u007f', name: 'Café 👩‍👩‍👧' };
    const plain = JSON.stringify(data);
    expect(plain).toContain('\\u001b'); // JSON.stringify escapes C0 itself (ESC as \u001b)…
    expect(plain).toMatch(CONTROL); // …but not C1, DEL or bidi controls
    const json = safeJson(plain);
    expect(json).not.toMatch(CONTROL);
    expect(JSON.parse(json)).toEqual(data);
  });
});
