import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { isAscii } from 'node:buffer';
import { chooseCharset, type Charset } from './decode.js';
import { fileError } from './errors.js';

/** Bytes read at a time: large enough that per-chunk costs vanish, small enough to stay flat. */
const CHUNK_BYTES = 1 << 20;
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
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
    sha.update(chunk);
    if (headLength < HEAD_BYTES) {
      headParts.push(chunk);
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
  if (headBytes.length === 0) throw fileError(path, 'is empty');
  if (headBytes.subarray(0, 8192).includes(0) && !(headBytes[0] === 0xff || headBytes[0] === 0xfe)) throw fileError(path, 'is binary, not a statement file');
  const charset = chooseCharset(headBytes.subarray(0, 1024), validUtf8, nonAscii, path);
  const head = new TextDecoder(charset.label).decode(headBytes.subarray(charset.skip), { stream: true });
  return { sha256: sha.digest('hex'), charset, head };
}

/** The file's text, chunk by chunk, decoded as the probe chose. */
export async function* textChunks(path: string, charset: Charset): AsyncGenerator<string> {
  const decoder = new TextDecoder(charset.label, { ignoreBOM: true });
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES, start: charset.skip }) as AsyncIterable<Buffer>) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}
