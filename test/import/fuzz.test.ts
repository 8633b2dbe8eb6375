import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BanksyncError } from '../../src/domain/errors.js';
import { parseBytes } from '../../src/import/parse.js';
import type { ParseOptions } from '../../src/import/types.js';
import { VALIDATORS } from '../helpers/tools.js';
import { rng } from '../helpers/rng.js';

const SAMPLES = join(VALIDATORS, 'samples');
const FIXTURES = resolve(__dirname, '../../fixtures/import');
const seeds = [
  ...['good', 'warn'].flatMap((d) => readdirSync(join(SAMPLES, d)).map((f) => ({ name: f, bytes: readFileSync(join(SAMPLES, d, f)) }))),
  // The real-world OFX, QIF and CAMT shapes (empty elements, comments, stray end tags, SGML under
  // an XML header, decimal commas, short dates, two-digit years), the refused ones included.
  ...['ofx', 'qif', 'camt'].flatMap((d) =>
    readdirSync(join(FIXTURES, d))
      .filter((f) => !f.endsWith('.md'))
      .map((f) => ({ name: f, bytes: readFileSync(join(FIXTURES, d, f)) })),
  ),
];

const NASTY = [
  '<',
  '>',
  '&',
  '"',
  "'",
  '\n',
  '\r\n',
  '\0',
  '\xff',
  ';',
  ',',
  '^',
  '-',
  '.',
  '9',
  '<OFX>',
  '</STMTTRN>',
  '<Ntry>',
  '!Type:Bank\n',
  '&amp',
  '&#0;',
  '&#x110000;',
  '<!--',
  '-->',
  '<![CDATA[',
  ']]>',
  '<BALAMT/>',
  '</BANKTRANLIST>',
  '<BANKTRANLIST>',
  '<INVSTMTRS>',
  '\x1a',
];

/**
 * Thousands of parses are seconds of CPU, tens of seconds on a loaded machine: the loops give
 * vitest's worker its event loop back now and then, or its RPC times out ("Timeout calling
 * onTaskUpdate") and fails the run; and they carry a limit sized for such a machine.
 */
const breather = () => new Promise((resume) => setImmediate(resume));
const FUZZ_TIMEOUT = 300_000;

function mutate(input: Buffer, r: () => number): Buffer {
  let b = Buffer.from(input);
  const steps = 1 + Math.floor(r() * 4);
  for (let s = 0; s < steps; s++) {
    const at = Math.floor(r() * b.length);
    switch (Math.floor(r() * 6)) {
      case 0: // flip a byte
        b[at] = Math.floor(r() * 256);
        break;
      case 1: // truncate
        b = b.subarray(0, at);
        break;
      case 2: // delete a slice
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + Math.floor(r() * 64))]);
        break;
      case 3: // insert something a parser must cope with
        b = Buffer.concat([b.subarray(0, at), Buffer.from(NASTY[Math.floor(r() * NASTY.length)]!, 'latin1'), b.subarray(at)]);
        break;
      case 4: // duplicate a slice (repeated records, ids, elements)
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + Math.floor(r() * 400)), b.subarray(at)]);
        break;
      default:
        {
          // swap two lines
          const lines = b.toString('latin1').split('\n');
          const i = Math.floor(r() * lines.length);
          const j = Math.floor(r() * lines.length);
          [lines[i], lines[j]] = [lines[j]!, lines[i]!];
          b = Buffer.from(lines.join('\n'), 'latin1');
        }
        break;
    }
  }
  return b;
}

/** Either a clean, sane result or one BAD_INPUT error naming the file: never anything else. */
function expectCleanOutcome(bytes: Buffer, name: string): 'ok' | 'rejected' {
  try {
    const parsed = parseBytes(bytes, name, 'auto', { currency: 'EUR' });
    for (const st of parsed.statements) {
      for (const l of st.lines) {
        expect(Number.isSafeInteger(l.amountMinor)).toBe(true);
        expect(l.bookingDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(l.currency).toMatch(/^[A-Z]{3}$/);
      }
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof BanksyncError)) throw new Error(`${name}: crashed with ${(e as Error)?.stack ?? e}`);
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message.startsWith(`${name}: `), e.message).toBe(true);
    expect(e.message).not.toContain('\n');
    return 'rejected';
  }
}

describe('fuzz: mutated statement files never crash the importer', () => {
  it(
    '4000 mutations of the sample and fixture files give a clean result or one clean error',
    async () => {
      const r = rng(process.env.FUZZ_SEED ?? 'banksync-import-fuzz');
      const outcomes = { ok: 0, rejected: 0 };
      for (let i = 0; i < Number(process.env.FUZZ_N ?? 4000); i++) {
        if (i % 100 === 99) await breather();
        const seed = seeds[i % seeds.length]!;
        outcomes[expectCleanOutcome(mutate(seed.bytes, r), `fuzz-${i}-${seed.name}`)]++;
      }
      // Both paths were exercised: the mutations are neither all harmless nor all fatal.
      expect(outcomes.ok).toBeGreaterThan(300);
      expect(outcomes.rejected).toBeGreaterThan(300);
    },
    FUZZ_TIMEOUT,
  );

  it.each([
    [
      'billion laughs',
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><Document><BkToCstmrStmt>&lol2;</BkToCstmrStmt></Document>`,
      /DOCTYPE or ENTITY/,
    ],
    ['external entity', `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document><BkToCstmrStmt>&x;</BkToCstmrStmt></Document>`, /DOCTYPE or ENTITY/],
    ['deeply nested XML', `<?xml version="1.0"?><Document><BkToCstmrStmt>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</BkToCstmrStmt></Document>`, /.+/],
    ['deeply nested OFX', `OFXHEADER:100\nDATA:OFXSGML\n\n<OFX>${'<AGG>\n'.repeat(5000)}`, /nested deeper/],
    ['binary garbage', Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 256)), /binary|not OFX/],
    ['a 5 MB single line', `date,amount\n2024-01-01,${'9'.repeat(5_000_000)}`, /amount|large/],
  ])('%s is refused cleanly', (_name, content, pattern) => {
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
    let error: unknown;
    try {
      parseBytes(bytes, 'hostile.file', 'auto', { currency: 'EUR' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BanksyncError);
    expect((error as Error).message).toMatch(pattern);
  });
});

// CSV layouts (fixtures/import/csv): headerless, sign columns, thousands separators, currency
// symbols, date-times, title blocks, trailing fields, newest-first. Kept apart from the OFX seeds.
describe('fuzz: mutated CSV layouts never crash the importer', () => {
  const CSV_FIXTURES = join(__dirname, '../../fixtures/import/csv');
  const OPTIONS: Record<string, ParseOptions> = {
    'headerless-signed.csv': { currency: 'USD', map: 'date=0,amount=1,payee=4' },
    'headerless-direction.csv': { currency: 'EUR', map: 'date=0,amount=2,direction=3,payee=4,counterparty_iban=5,memo=7', header: false },
    'direction-custom-values.csv': { currency: 'PLN', map: 'date=0,payee=1,amount=2,direction=3', debitValues: 'Obciążenie' },
    'currency-dollar.csv': { currency: 'USD' },
    'currency-euro-symbol.csv': {},
    'currency-code.csv': {},
    'thousands-ambiguous.csv': { currency: 'EUR', decimal: '.' },
  };
  const csvSeeds = readdirSync(CSV_FIXTURES)
    .filter((f) => f.endsWith('.csv'))
    .map((f) => ({ name: f, bytes: readFileSync(join(CSV_FIXTURES, f)), options: OPTIONS[f] ?? { currency: 'EUR' } }));
  const CSV_NASTY = [
    '€',
    '$',
    'US$',
    ' EUR',
    '(',
    ')',
    '-',
    '+',
    '1.234,56',
    '1,234.56',
    "1'234",
    '\u00a0',
    ';',
    ',',
    '\t',
    '""',
    '"',
    'Af',
    'Bij',
    'S',
    'H',
    'DBIT',
    'X',
    'T12:16:54+01:00',
    ' 23:59',
    'Endsaldo',
    '\n\n',
    'Bank\n',
  ];

  function mutateCsv(input: Buffer, r: () => number): Buffer {
    let b = mutate(input, r);
    if (r() < 0.5) {
      const at = Math.floor(r() * (b.length + 1));
      b = Buffer.concat([b.subarray(0, at), Buffer.from(CSV_NASTY[Math.floor(r() * CSV_NASTY.length)]!), b.subarray(at)]);
    }
    return b;
  }

  it(
    '1500 mutations of the CSV fixtures give a clean result or one clean error',
    async () => {
      expect(csvSeeds.length).toBeGreaterThan(20);
      const r = rng(process.env.FUZZ_SEED ?? 'banksync-csv-fuzz');
      const outcomes = { ok: 0, rejected: 0 };
      for (let i = 0; i < Number(process.env.FUZZ_N ?? 1500); i++) {
        if (i % 100 === 99) await breather();
        const seed = csvSeeds[i % csvSeeds.length]!;
        const name = `fuzz-${i}-${seed.name}`;
        try {
          const parsed = parseBytes(mutateCsv(seed.bytes, r), name, 'auto', seed.options);
          for (const st of parsed.statements) {
            for (const l of st.lines) {
              expect(Number.isSafeInteger(l.amountMinor)).toBe(true);
              expect(l.bookingDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
              expect(l.currency).toMatch(/^[A-Z]{3}$/);
            }
            for (const b of st.balances) expect(Number.isSafeInteger(b.amountMinor)).toBe(true);
          }
          outcomes.ok++;
        } catch (e) {
          if (!(e instanceof BanksyncError)) throw new Error(`${name}: crashed with ${(e as Error)?.stack ?? e}`);
          expect(e.code).toBe('BAD_INPUT');
          expect(e.message.startsWith(`${name}: `), e.message).toBe(true);
          expect(e.message).not.toContain('\n');
          outcomes.rejected++;
        }
      }
      expect(outcomes.ok).toBeGreaterThan(150);
      expect(outcomes.rejected).toBeGreaterThan(150);
    },
    FUZZ_TIMEOUT,
  );

  it('every CSV fixture parses or is refused as its README says, unmutated', () => {
    const refused = ['ambiguous-dates.csv', 'currency-code-conflict.csv', 'direction-unmapped.csv'];
    for (const seed of csvSeeds) {
      const run = () => parseBytes(seed.bytes, seed.name, 'auto', seed.options);
      if (refused.includes(seed.name)) expect(run, seed.name).toThrow(BanksyncError);
      else expect(run().statements[0]!.lines.length, seed.name).toBeGreaterThan(1);
    }
  });
});
