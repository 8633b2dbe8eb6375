import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { csvFormat, CSV_CELLS } from '../../src/export/csv.js';
import { NO_ANNOTATION } from '../../src/core/annotate.js';
import { Sink } from '../../src/core/output-file.js';
import { moneyInto } from '../../src/export/csv-bytes.js';
import { formatMinor } from '../../src/domain/money.js';
import type { AccountSection, ByteOut, ExportRow, ExportSettings } from '../../src/export/types.js';
import { exportFixture, exportToString } from '../helpers/export-fixture.js';

/** Text that trips every rule a CSV cell passes: breaks, controls, quotes, delimiters, formula starts, Unicode spaces, surrogates. */
const PIECES = [
  'a',
  'Z',
  '7',
  '.',
  ' ',
  '  ',
  '"',
  ',',
  ';',
  '\t',
  '|',
  '§',
  '\n',
  '\r',
  '\u0000',
  '\u007f',
  '=',
  '+',
  '-',
  '@',
  "'",
  'é',
  'Ω',
  '€',
  'ü',
  '\u00a0',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u3000',
  '\ufeff',
  '😀',
  '\ud800',
  '\udc00',
  'Café',
  'Albert Heijn',
];

/** Deterministic pseudo-random numbers (a test that fails fails again). */
function random(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function text(next: () => number): string {
  if (next() < 0.3) return ['Albert Heijn', 'Café de Zon', 'Card payment 12', 'Sushi Kō', ''][Math.floor(next() * 5)]!;
  let s = '';
  const n = Math.floor(next() * 6);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(next() * PIECES.length)]!;
  return s;
}

function row(next: () => number): ExportRow {
  const maybe = (v: string) => (next() < 0.2 ? null : v);
  const annotated = next() < 0.5;
  return {
    id: `t${Math.floor(next() * 1e9).toString(16)}`,
    accountId: 1 + Math.floor(next() * 3),
    externalId: maybe(text(next)),
    bookingDate: '2026-02-0' + (1 + Math.floor(next() * 9)),
    valueDate: maybe('2026-02-10'),
    amountMinor: Math.round((next() - 0.5) * 10 ** Math.floor(next() * 14)),
    currency: ['EUR', 'JPY', 'BHD', 'USD'][Math.floor(next() * 4)]!,
    payee: maybe(text(next)),
    memo: maybe(text(next)),
    type: 'pos',
    counterpartyIban: maybe('NL91ABNA0417164300'),
    source: text(next) || 'sandbox',
    revision: 0,
    change: next() < 0.1 ? 'removed' : 'new',
    replacesRevision: null,
    previous: null,
    balanceAfter: next() < 0.2 ? null : Math.round((next() - 0.5) * 1e9),
    periodStart: '2026-02-01',
    periodEnd: '2026-02-28',
    closesPeriod: false,
    annotation: annotated ? { category: maybe(text(next)), cleanPayee: maybe(text(next)), tags: [text(next)], rule: 1, transfer: null } : NO_ANNOTATION,
    previousAnnotation: null,
    transferPosting: null,
    reversalCounter: null,
  };
}

/** A ByteOut over one small buffer that grows, so every reserve is exercised. */
function bytes(): ByteOut & { result(): Buffer } {
  let buf = Buffer.alloc(8);
  return {
    used: 0,
    reserve(n) {
      if (this.used + n > buf.length) {
        const bigger = Buffer.alloc(Math.max(2 * buf.length, this.used + n));
        buf.copy(bigger, 0, 0, this.used);
        buf = bigger;
      }
      return buf;
    },
    add(t) {
      const b = Buffer.from(t, 'utf8');
      b.copy(this.reserve(b.length), this.used);
      this.used += b.length;
      return false;
    },
    result: () => buf.subarray(0, 0),
  };
}

const section = { account: { name: '=Compte, "Chèque"', iban: null }, institutionName: 'Banque Étoile & Fils' } as unknown as AccountSection;

describe('CSV rows written as bytes', () => {
  const variants: Partial<ExportSettings>[] = [
    {},
    { spreadsheetSafe: false },
    { decimalComma: true },
    { delimiter: ';' },
    { delimiter: '\t' },
    { delimiter: ' ' },
    { delimiter: '|' },
    { delimiter: '§' },
    { delimiter: '-' },
    { delimiter: '.' },
    { delimiter: '7' },
    { delimiter: 'a' },
    { delimiter: 'é', decimalComma: true },
    { changes: true },
  ];
  it.each(variants.map((v) => [JSON.stringify(v), v]))('give the bytes of the row text, %s', (_name, variant) => {
    const settings = { spreadsheetSafe: true, decimalComma: false, changes: false, columns: Object.keys(CSV_CELLS), ...variant } as ExportSettings;
    if (variant.changes) delete settings.columns;
    const writer = csvFormat.create(settings);
    writer.begin([section]);
    const next = random(17 + JSON.stringify(variant).length);
    for (let i = 0; i < 3000; i++) {
      const r = row(next);
      const out = bytes();
      const expected = writer.row(r, section);
      const wrote = writer.rowInto!(r, section, out);
      expect(wrote).toBe(expected !== null);
      const got = Buffer.from(out.reserve(0).subarray(0, out.used));
      expect(got.toString('hex'), JSON.stringify(r)).toBe(Buffer.from(expected ?? '', 'utf8').toString('hex'));
    }
  });

  it('amounts written as bytes are the text of formatMinor, with either mark; outside its arithmetic range the string path', () => {
    const next = random(99);
    const buf = Buffer.alloc(16);
    const edges = [0, -0, 1, -1, 9, 10, 99, 100, 101, -100, 999_999_999_999, -999_999_999_999, 1e12, -1e12, 2 ** 53, 0.5, Number.NaN];
    const amounts = [...edges, ...Array.from({ length: 4_000 }, () => Math.round((next() - 0.5) * 10 ** Math.floor(next() * 13)))];
    for (const [currency, digits] of [
      ['JPY', 0],
      ['EUR', 2],
      ['BHD', 3],
      ['CLF', 4],
    ] as const) {
      for (const minor of amounts) {
        for (const mark of [0x2e, 0x2c]) {
          const end = moneyInto(buf, 0, minor, digits, mark);
          const inRange = digits > 0 && Number.isSafeInteger(minor) && Math.abs(minor) < 1e12;
          expect(end >= 0, `${minor} ${currency}`).toBe(inRange);
          if (!inRange) continue;
          const text = formatMinor(minor, currency);
          expect(buf.subarray(0, end).toString('latin1')).toBe(mark === 0x2e ? text : text.replace('.', ','));
        }
      }
    }
  });

  it('through the sink: bytes and text in order across buffers and flushes', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const sink = new Sink(out);
    const writer = csvFormat.create({ spreadsheetSafe: true, decimalComma: false, changes: false } as ExportSettings);
    let expected = writer.begin([section]);
    sink.add(expected);
    const next = random(5);
    for (let i = 0; i < 20_000; i++) {
      const r = { ...row(next), change: 'new' as const };
      expected += writer.row(r, section)!;
      writer.rowInto!(r, section, sink);
      if (i % 997 === 0) {
        // A long text between rows: a cell or a header that does not fit what is left of the buffer.
        const long = 'é'.repeat(50_000 + i);
        expected += long;
        sink.add(long);
      }
      if (sink.full) await sink.flush();
    }
    await sink.flush();
    out.end();
    await once(out, 'end');
    // Bytes (a lone surrogate is U+FFFD's three), compared whole without a diff of two 2 MB texts.
    const got = Buffer.concat(chunks);
    const want = Buffer.from(expected, 'utf8');
    expect(got.length).toBe(want.length);
    expect(got.equals(want)).toBe(true);
  });

  it('a plain CSV export reads rows without the details; a column that needs them reads them', async () => {
    const f = exportFixture();
    const prepare = vi.spyOn(f.store.db, 'prepare');
    const reads = () => prepare.mock.calls.map(([sql]) => sql).filter((sql) => sql.includes('ORDER BY t.booking_date, t.seq'));
    await exportToString(f.services, { format: 'csv', accountIds: [f.checking] });
    expect(reads().length).toBe(1);
    expect(reads()[0]).not.toContain('t.external_id');
    prepare.mockClear();
    const withDetail = await exportToString(f.services, { format: 'csv', accountIds: [f.checking], columns: ['id', 'external_id', 'value_date', 'source', 'counterparty_iban'] });
    expect(reads()[0]).toContain('t.external_id');
    expect(withDetail.text.split('\n')[1]).toMatch(/^t\w+,c1,2026-01-31,sandbox,$/);
  });
});
