import { describe, expect, it } from 'vitest';
import { oneLine } from '../../src/export/text.js';

/** The three-step form oneLine had before its shortcut for text that is already one clean line. */
const reference = (v: string | null | undefined) =>
  (v ?? '')
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();

describe('oneLine', () => {
  it('gives what the replace-and-trim form gives, for clean text and every kind of break, space and control', () => {
    const cases = [
      null,
      undefined,
      '',
      'Albert Heijn',
      'Café de Zon',
      ' lead',
      'trail ',
      'a  b',
      'a\nb',
      'a\r\n\tb',
      '\u2028x\u2029',
      'x\u007f',
      '\u00a0nbsp\u00a0',
      '\ufeffbom',
      'ideo\u3000',
      '  ',
      '\t',
      'a \n b',
    ];
    for (const c of cases) expect(oneLine(c), JSON.stringify(c)).toBe(reference(c));
    // Random strings over a pool holding every class the rules tell apart.
    const pool = ['a', 'Z', 'é', ' ', ' ', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u2028', '\u2029', '\u00a0', '\u3000', '\ufeff', '💶'];
    let seed = 17;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (let i = 0; i < 5000; i++) {
      const s = Array.from({ length: next() % 8 }, () => pool[next() % pool.length]).join('');
      expect(oneLine(s), JSON.stringify(s)).toBe(reference(s));
    }
  });
});
