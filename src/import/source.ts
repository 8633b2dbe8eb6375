import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { isAscii } from 'node:buffer';
import { chooseCharset, type Charset } from './decode.js';
import { fileError } from './errors.js';

/** Bytes read at a time: large enough that per-chunk costs vanish, small enough to stay flat. */
const CHUNK_BYTES = 64 * 1024;
/** The head kept from the probe: format detection and the charset declaration look only there. */
const HEAD_BYTES = 256 * 1024;

/** What one read of the whole file tells before any parsing: its hash, how to decode it, its head. */
export interface Probe {
  sha256: string;
  charset: Charset;
  /** The first HEAD_BYTES decoded (for format detection). */
  head: string;
}

/** Reads the file once: its SHA-256, whether it is strict UTF-8, whether it holds a non-ASCII byte. */
export async function probeFile(path: string): Promise<Probe> {
  const sha = createHash('sha256');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let validUtf8 = true;
  let nonAscii = false;
  let headParts: Buffer[] = [];
  let headLength = 0;
  for await (const chunk of bytesOf(path, 0)) {
    sha.update(chunk);
    if (headLength < HEAD_BYTES) {
      headParts.push(Buffer.from(chunk));
      headLength += chunk.length;
    }
    if (!nonAscii && !isAscii(chunk)) nonAscii = true;
    if (validUtf8 && nonAscii) {
      try {
        utf8.decode(chunk, { stream: true });
      } catch {
        validUtf8 = false;
      }
    }
  }
  if (validUtf8 && nonAscii) {
    try {
      utf8.decode();
    } catch {
      validUtf8 = false;
    }
  }
  const headBytes = Buffer.concat(headParts).subarray(0, HEAD_BYTES);
  headParts = [];
  if (headBytes.length === 0) throw fileError(path, 'is empty: there is nothing to import', 'download the statement from your bank again');
  if (headBytes.subarray(0, 8192).includes(0) && !(headBytes[0] === 0xff || headBytes[0] === 0xfe)) throw fileError(path, 'is binary, not a statement file');
  const charset = chooseCharset(headBytes.subarray(0, 1024), validUtf8, nonAscii, path);
  const head = new TextDecoder(charset.label).decode(headBytes.subarray(charset.skip), { stream: true });
  return { sha256: sha.digest('hex'), charset, head };
}

/** The file's text, chunk by chunk, decoded as the probe chose. */
export async function* textChunks(path: string, charset: Charset): AsyncGenerator<string> {
  const decoder = new TextDecoder(charset.label, { ignoreBOM: true });
  for await (const chunk of bytesOf(path, charset.skip)) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/**
 * The file's bytes from `start`, chunk by chunk, read into one buffer used again and again: a
 * stream's fresh Buffer per chunk is memory outside the JavaScript heap that the garbage
 * collector frees only after tens of megabytes. Each chunk is valid until the next is asked for.
 */
async function* bytesOf(path: string, start: number): AsyncGenerator<Buffer> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let at = start; ; ) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, at);
      if (bytesRead === 0) return;
      at += bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}
