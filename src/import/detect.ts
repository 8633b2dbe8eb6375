import type { FileFormat } from './types.js';

/** Format by content, never by extension. */
export function detectFormat(text: string): FileFormat | null {
  const head = text.replace(/^\uFEFF/, '').slice(0, 4096);
  if (/^\s*OFXHEADER\s*:/m.test(head) || /<\?OFX\s/i.test(head) || /^\s*<OFX>/im.test(head)) return 'ofx';
  if (/<(\w+:)?BkToCstmrStmt[\s>]/.test(text.slice(0, 65_536)) || /camt\.053/.test(head)) return 'camt';
  if (/^\s*!(Type|Account|Option)/i.test(head)) return 'qif';
  if (/^\s*</.test(head)) return null;
  const lines = head.split(/\r?\n/);
  if (/[,;\t|]/.test(lines[0] ?? '')) return 'csv';
  // A title line above the table ("Example Bank", "Account: ..."): CSV when a few lines below it
  // split into the same number of fields, which no stray comma in a QIF amount does.
  const table = lines.slice(1, 20).some((l, i) => [',', ';', '\t', '|'].some((d) => count(l, d) > 0 && count(l, d) === count(lines[i + 2] ?? '', d)));
  return table ? 'csv' : null;
}

const count = (line: string, delimiter: string) => line.replace(/"[^"]*"/g, '').split(delimiter).length - 1;
