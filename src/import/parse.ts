import { readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { BanksyncError } from '../core/errors.js';
import { parseCamt } from './camt.js';
import { parseCsv } from './csv.js';
import { decode } from './decode.js';
import { detectFormat } from './detect.js';
import { FILE_NAMED, fileError } from './errors.js';
import { parseOfx } from './ofx.js';
import { parseQif } from './qif.js';
import type { FileFormat, ParsedFile, ParseOptions } from './types.js';

/** Statement files larger than this are refused: no bank statement is that big, a hostile file may be. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

export interface ReadFile extends ParsedFile {
  sha256: string;
  charset: string;
}

/** Reads, decodes, detects and parses one file. Every failure is a BAD_INPUT naming the file. */
export function readStatementFile(path: string, format: FileFormat | 'auto', o: ParseOptions): ReadFile {
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) throw fileError(path, `is ${Math.round(size / 2 ** 20)} MB; statement files over ${MAX_FILE_BYTES / 2 ** 20} MB are refused`);
    bytes = readFileSync(path);
  } catch (e) {
    if (e instanceof BanksyncError) throw e;
    throw fileError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseBytes(bytes, path, format, o);
}

export function parseBytes(bytes: Buffer, path: string, format: FileFormat | 'auto', o: ParseOptions): ReadFile {
  if (bytes.length === 0) throw fileError(path, 'is empty');
  if (bytes.subarray(0, 8192).includes(0) && !(bytes[0] === 0xff || bytes[0] === 0xfe)) throw fileError(path, 'is binary, not a statement file');
  const { text, charset, warning } = decode(bytes, path);
  const detected = detectFormat(text);
  const chosen = format === 'auto' ? detected : format;
  if (!chosen) throw fileError(path, 'is not OFX, QFX, CAMT.053, CSV or QIF by its content', 'give --format if it is one of them');
  if (format !== 'auto' && detected && detected !== format) throw fileError(path, `looks like ${detected}, not ${format}`, 'drop --format to let the content decide');
  let parsed: ParsedFile;
  try {
    parsed = chosen === 'ofx' ? parseOfx(text, path, o) : chosen === 'camt' ? parseCamt(text, path) : chosen === 'qif' ? parseQif(text, path, o) : parseCsv(text, path, o);
  } catch (e) {
    // Every message names the file; a parser bug or a shape we never saw is still one clean line.
    if (e instanceof BanksyncError) throw e.reason === FILE_NAMED ? e : fileError(path, e.message, e.hint);
    throw fileError(path, `cannot be read as ${chosen}: ${(e as Error).message.split('\n')[0]}`);
  }
  if (warning) parsed.warnings.unshift(warning);
  return { ...parsed, sha256: createHash('sha256').update(bytes).digest('hex'), charset };
}
