import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode } from '../../src/import/decode.js';
import { parseBytes, parserFor } from '../../src/import/parse.js';
import { collector } from '../../src/import/stream.js';
import type { FileFormat, ParseOptions } from '../../src/import/types.js';
import { rng } from '../helpers/rng.js';
import { VALIDATORS } from '../helpers/tools.js';

const FIXTURES = resolve(__dirname, '../../fixtures/import');
const SAMPLES = join(VALIDATORS, 'samples');
const files = [
  ...['good', 'warn', 'bad'].flatMap((d) => readdirSync(join(SAMPLES, d)).map((f) => join(SAMPLES, d, f))),
  ...['ofx', 'csv', 'camt'].flatMap((d) =>
    readdirSync(join(FIXTURES, d))
      .filter((f) => !f.endsWith('.md'))
      .map((f) => join(FIXTURES, d, f)),
  ),
];

/** The outcome of a parse: what it read, or the one message it refused with. */
function outcome(run: () => unknown): unknown {
  try {
    return run();
  } catch (e) {
    return { refused: (e as Error).message };
  }
}

/** The same parser fed the text in pieces of random length (1 to `max` characters), as a streamed file is. */
function inPieces(bytes: Buffer, name: string, format: FileFormat, o: ParseOptions, max: number, r: () => number) {
  const { text, warning } = decode(bytes, name);
  const sink = collector();
  const parser = parserFor(format, name, o, sink);
  for (let n = 0; parser.begin(n); n++) {
    for (let i = 0; i < text.length; ) {
      const k = 1 + Math.floor(r() * max);
      parser.write(text.slice(i, i + k));
      i += k;
    }
    parser.end();
  }
  const warnings = parser.warnings();
  if (warning) warnings.unshift(warning);
  return { statements: sink.statements, warnings };
}

/**
 * A streamed file arrives in chunks cut anywhere: inside a tag, a comment, a CDATA section, a
 * quoted CSV field, a multi-line record. Every sample and fixture read in pieces of 1 to 64
 * characters gives what it gives read whole: the same lines, warnings and refusals.
 */
describe('statement files read in pieces read as whole', () => {
  it.each(files.filter((f) => !f.endsWith('.qif')))('%s', (path) => {
    const name = path.split('/').pop()!;
    const bytes = readFileSync(path);
    const o: ParseOptions = { currency: 'USD' };
    const whole = outcome(() => {
      const r = parseBytes(bytes, name, 'auto', o);
      return { statements: r.statements, warnings: r.warnings, format: r.format };
    });
    const format = (whole as { format?: FileFormat }).format;
    if (!format) return;
    const r = rng(name);
    for (const max of [1, 7, 64]) {
      const pieces = outcome(() => ({ ...inPieces(bytes, name, format, o, max, r), format }));
      expect(pieces, `pieces of up to ${max}`).toEqual(whole);
    }
  });
});
