import type { FileFormat } from './types.js';

/** Format by content, never by extension. */
export function detectFormat(text: string): FileFormat | null {
  const head = text.replace(/^\uFEFF/, '').slice(0, 4096);
  if (/^\s*OFXHEADER\s*:/m.test(head) || /<\?OFX\s/i.test(head) || /^\s*<OFX>/im.test(head)) return 'ofx';
  if (/<(\w+:)?BkToCstmrStmt[\s>]/.test(text.slice(0, 65_536)) || /camt\.053/.test(head)) return 'camt';
  if (/^\s*!(Type|Account|Option)/i.test(head)) return 'qif';
  if (/^\s*</.test(head)) return null;
  const firstLine = head.split(/\r?\n/, 1)[0] ?? '';
  if (/[,;\t|]/.test(firstLine)) return 'csv';
  return null;
}
