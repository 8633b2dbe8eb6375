import { fileError } from './errors.js';

/**
 * Bytes to text. A BOM wins; then what the file declares (OFX CHARSET/ENCODING, the XML
 * declaration); then strict UTF-8; then Windows-1252 (a superset of Latin-1 for printable text),
 * which is what European bank exports without a declaration use. The choice is reported.
 */
export function decode(bytes: Buffer, file: string): { text: string; charset: string; warning?: string } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { text: utf8(bytes.subarray(3), file, 'UTF-8 by its BOM'), charset: 'UTF-8' };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    const le = bytes[0] === 0xff;
    return { text: new TextDecoder(le ? 'utf-16le' : 'utf-16be').decode(bytes.subarray(2)), charset: le ? 'UTF-16LE' : 'UTF-16BE' };
  }
  const head = bytes.subarray(0, 1024).toString('latin1');
  const declared = declaredCharset(head);
  if (declared === 'windows-1252' || declared === 'iso-8859-1') {
    // Valid multi-byte UTF-8 under a single-byte label is a mislabelled file, not Ã© mojibake to keep.
    const asUtf8 = strictUtf8(bytes);
    if (asUtf8 !== null && /[^\x00-\x7f]/.test(asUtf8)) {
      return { text: asUtf8, charset: 'UTF-8', warning: `declares ${declared} but its text is UTF-8; read as UTF-8` };
    }
    return { text: new TextDecoder('windows-1252').decode(bytes), charset: declared };
  }
  if (declared === 'utf-8') return { text: utf8(bytes, file, 'UTF-8'), charset: 'UTF-8' };
  const text = strictUtf8(bytes);
  if (text !== null) return { text, charset: 'UTF-8' };
  return { text: new TextDecoder('windows-1252').decode(bytes), charset: 'windows-1252', warning: 'is not UTF-8; read as Windows-1252 (Latin-1)' };
}

function strictUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function utf8(bytes: Buffer, file: string, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fileError(file, `is declared ${what} but holds bytes that are not UTF-8`, 'save it as UTF-8, or fix its charset declaration');
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
