import { describe, expect, it } from 'vitest';
import { ofxParser } from '../../src/import/ofx.js';
import { collector } from '../../src/import/stream.js';
import { rng } from '../helpers/rng.js';
import { mutateOfx, ofxSeeds } from './ofx-mutations.js';

/** Reads the text with the given hold limit, in pieces of up to 4 KiB: what it read (and how many passes), or its one message. */
function read(text: string, holdChars: number) {
  const sink = collector();
  const parser = ofxParser('f.ofx', { currency: 'USD' }, sink, holdChars);
  let passes = 0;
  try {
    for (let n = 0; parser.begin(n); n++) {
      passes++;
      for (let i = 0; i < text.length; i += 4096) parser.write(text.slice(i, i + 4096));
      parser.end();
    }
    return { passes, statements: sink.statements, warnings: parser.warnings() };
  } catch (e) {
    // The lines a failing read sent are rolled back by the import: only the message counts.
    return { passes, refused: (e as Error).message };
  }
}

/**
 * A small file is read once: the survey holds its STMTTRNs and turns them into lines when it
 * ends. It must read exactly what the two passes read: the same statements, lines, warnings and
 * refusals (a hold limit of 0 is the two-pass reader; one in the middle gives up holding midway).
 */
describe('OFX: a small file read once reads as the two passes do', () => {
  const same = (text: string) => {
    const held = read(text, Infinity);
    const { passes: _p, ...twoPass } = read(text, 0);
    const { passes: _q, ...midway } = read(text, text.length >> 1);
    const { passes, ...once } = held;
    expect(once).toEqual(twoPass);
    expect(midway).toEqual(twoPass);
    return { passes, refused: 'refused' in held };
  };

  it.each(ofxSeeds.map((s) => [s.name, s.text]))('%s', (_name, text) => {
    same(text);
  });

  it('1500 mutated files', () => {
    const r = rng('ofx-held');
    let once = 0;
    let refused = 0;
    for (let i = 0; i < 1500; i++) {
      const seed = ofxSeeds[i % ofxSeeds.length]!;
      const outcome = same(mutateOfx(seed.text, r, 2));
      if (outcome.passes === 1 && !outcome.refused) once++;
      if (outcome.refused) refused++;
    }
    expect(once).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(300);
  });

  it('a file under the limit takes one pass, a bigger one two', () => {
    const text = ofxSeeds.find((s) => s.name === 'short-dates.ofx')!.text;
    expect(read(text, Infinity)).toMatchObject({ passes: 1 });
    expect(read(text, 0)).toMatchObject({ passes: 2 });
  });
});
