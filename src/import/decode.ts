import { fileError } from './errors.js';

/**
 * Bytes to text. A BOM wins; then what the file declares (OFX CHARSET/ENCODING, the XML
 * declaration); then strict UTF-8; then Windows-1252 (a superset of Latin-1 for printable text),
 * which is what European bank exports without a declaration use. The choice is reported.
 */
export function decode(bytes: Buffer, file: string): { text: string; charset: string; warning?: string } {
  const strict = strictUtf8(bytes);
  const choice = chooseCharset(bytes.subarray(0, 1024), strict !== null, /[^\x00-\x7f]/.test(strict ?? ''), file);
  const text = strict !== null && choice.label === 'utf-8' ? (choice.skip ? strict.replace(/^\uFEFF/, '') : strict) : new TextDecoder(choice.label).decode(bytes.subarray(choice.skip));
  return { text, charset: choice.charset, warning: choice.warning };
}

/** How to decode a file, chosen from its first bytes and two facts about all of them (a streamed file is probed first). */
export interface Charset {
  label: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
  /** Bytes of the BOM to skip. */
  skip: number;
  /** As reported. */
  charset: string;
  warning?: string;
}

/** `validUtf8`: the whole file is strict UTF-8; `nonAscii`: it holds a byte over 0x7f. */
export function chooseCharset(head: Buffer, validUtf8: boolean, nonAscii: boolean, file: string): Charset {
  const notUtf8 = (what: string) => fileError(file, `is declared ${what} but holds bytes that are not UTF-8`, 'save it as UTF-8, or fix its charset declaration');
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    if (!validUtf8) throw notUtf8('UTF-8 by its BOM');
    return { label: 'utf-8', skip: 3, charset: 'UTF-8' };
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    const le = head[0] === 0xff;
    return { label: le ? 'utf-16le' : 'utf-16be', skip: 2, charset: le ? 'UTF-16LE' : 'UTF-16BE' };
  }
  const declared = declaredCharset(head.toString('latin1'));
  if (declared === 'windows-1252' || declared === 'iso-8859-1') {
    // Valid multi-byte UTF-8 under a single-byte label is a mislabelled file, not Ã© mojibake to keep.
    if (validUtf8 && nonAscii) return { label: 'utf-8', skip: 0, charset: 'UTF-8', warning: `declares ${declared} but its text is UTF-8; read as UTF-8` };
    return { label: 'windows-1252', skip: 0, charset: declared };
  }
  if (declared === 'utf-8') {
    if (!validUtf8) throw notUtf8('UTF-8');
    return { label: 'utf-8', skip: 0, charset: 'UTF-8' };
  }
  if (validUtf8) return { label: 'utf-8', skip: 0, charset: 'UTF-8' };
  return { label: 'windows-1252', skip: 0, charset: 'windows-1252', warning: 'is not UTF-8; read as Windows-1252 (Latin-1)' };
}

function strictUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function declaredCharset(head: string): string | null {
  const xml = /<\?xml[^>]*encoding=["']([^"']+)["']/i.exec(head);
  if (xml) return normalize(xml[1]!);
  const enc = /^ENCODING:\s*(\S+)/m.exec(head)?.[1]?.toUpperCase();
  const cs = /^CHARSET:\s*(\S+)/m.exec(head)?.[1]?.toUpperCase();
  if (enc === 'UTF-8' || enc === 'UNICODE') return 'utf-8';
  if (enc === 'USASCII') return cs === 'ISO-8859-1' || cs === '8859-1' ? 'iso-8859-1' : 'windows-1252';
  return null;
}

function normalize(label: string): string {
  const l = label.toLowerCase();
  if (l === 'utf8' || l === 'utf-8') return 'utf-8';
  if (['latin1', 'latin-1', 'iso-8859-1', 'iso8859-1', 'cp1252', 'windows-1252'].includes(l)) return l.startsWith('w') || l === 'cp1252' ? 'windows-1252' : 'iso-8859-1';
  return l;
}
