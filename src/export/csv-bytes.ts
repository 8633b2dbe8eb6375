/**
 * A CSV cell put straight into the output buffer as UTF-8, without the strings a line used to
 * make (its cells joined, the line, the quoting checks' matches, then encoding the line: about
 * a third of a million-line export besides reading SQLite). Only text that the CSV rules (one
 * line, the formula guard, RFC 4180 quoting) would all leave as it is goes this way; the writer
 * falls back to its string path for anything else, so the bytes are those of `row`'s text.
 */

const SPACE = 0x20;
const QUOTE = 0x22;
const DELETE = 0x7f;

/**
 * Writes `text` at `at` and returns the position after it, or -1 (what was written is garbage to
 * overwrite) when a rule would change it: a control character, U+2028/2029, a quote or the
 * delimiter anywhere, a space at an end or two in a row, a character outside ASCII at an end (it
 * may be whitespace that trim or the quoting sees), a lone surrogate, or with `guarded` a formula
 * start. `buf` must have room for 3 bytes a UTF-16 unit from `at`.
 */
export function plainCellInto(buf: Uint8Array, at: number, text: string, delimiter: number, guarded: boolean): number {
  const n = text.length;
  if (n === 0) return at;
  if (guarded) {
    const first = text.charCodeAt(0);
    if (first === 0x3d || first === 0x2b || first === 0x2d || first === 0x40) return -1; // = + - @
  }
  let afterSpace = true; // a leading space is refused like a double one
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === delimiter) return -1;
    if (c < 0x80) {
      if (c === SPACE) {
        if (afterSpace) return -1;
        afterSpace = true;
      } else {
        if (c < SPACE || c === QUOTE || c === DELETE) return -1;
        afterSpace = false;
      }
      buf[at++] = c;
      continue;
    }
    if (i === 0 || i === n - 1) return -1;
    afterSpace = false;
    if (c < 0x800) {
      buf[at++] = 0xc0 | (c >> 6);
      buf[at++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A pair is one character of four bytes; i + 1 < n because c is not the last unit.
      const low = text.charCodeAt(i + 1);
      if (c >= 0xdc00 || low < 0xdc00 || low > 0xdfff) return -1;
      const point = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
      buf[at++] = 0xf0 | (point >> 18);
      buf[at++] = 0x80 | ((point >> 12) & 0x3f);
      buf[at++] = 0x80 | ((point >> 6) & 0x3f);
      buf[at++] = 0x80 | (point & 0x3f);
      i++;
    } else {
      if (c === 0x2028 || c === 0x2029) return -1;
      buf[at++] = 0xe0 | (c >> 12);
      buf[at++] = 0x80 | ((c >> 6) & 0x3f);
      buf[at++] = 0x80 | (c & 0x3f);
    }
  }
  return afterSpace ? -1 : at;
}

const POW10 = [1, 10, 100, 1000, 10_000];

/**
 * Writes an amount in minor units as `formatMinor` would (with `mark` for its '.') and returns the
 * position after it, or -1 outside formatMinor's arithmetic range (the caller takes the string
 * path): digits 1 to 4, below 10^12 minor units. Needs 16 bytes of room from `at`.
 */
export function moneyInto(buf: Uint8Array, at: number, minor: number, digits: number, mark: number): number {
  if (!(digits > 0 && digits <= 4 && Number.isSafeInteger(minor) && minor > -1e12 && minor < 1e12)) return -1;
  let abs = minor;
  if (minor < 0) {
    buf[at++] = 0x2d;
    abs = -minor;
  }
  const scale = POW10[digits]!;
  const whole = Math.floor(abs / scale);
  let frac = abs - whole * scale;
  let width = 1;
  for (let w = whole; w >= 10; w = Math.floor(w / 10)) width++;
  let w = whole;
  for (let p = at + width - 1; p >= at; p--) {
    buf[p] = 0x30 + (w % 10);
    w = Math.floor(w / 10);
  }
  at += width;
  buf[at++] = mark;
  for (let p = at + digits - 1; p >= at; p--) {
    buf[p] = 0x30 + (frac % 10);
    frac = Math.floor(frac / 10);
  }
  return at + digits;
}
