import { statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { BanksyncError } from '../domain/errors.js';
import { camtParser } from './camt.js';
import { csvParser } from './csv.js';
import { decode } from './decode.js';
import { detectFormat } from './detect.js';
import { FILE_NAMED, fileError } from './errors.js';
import { ofxParser } from './ofx.js';
import { parseQif } from './qif.js';
import { probeFile, textChunks } from './source.js';
import { collector, FromSink, guarded, parseWhole, wholeFile, type StatementSink, type StreamParser } from './stream.js';
import type { FileFormat, ParsedFile, ParseOptions } from './types.js';

/**
 * Statement files larger than this are refused. Import streams (memory stays flat whatever the
 * size), so the limit only stops a runaway or hostile file: 16 GiB is about 15 million OFX lines,
 * an accounting firm's bulk import of many clients' years, and a few minutes of reading.
 */
export const MAX_FILE_BYTES = 16 * 1024 ** 3;

export interface ReadFile extends ParsedFile {
  sha256: string;
  charset: string;
}

/** A statement file ready to stream: what the probe found, and `read` to send its statements to a sink. */
export interface StatementFile {
  path: string;
  format: FileFormat;
  sha256: string;
  charset: string;
  /** Reads the file (every pass its parser needs) into the sink; resolves to the file's warnings. */
  read(sink: StatementSink): Promise<string[]>;
}

/** Checks the size, probes (hash, charset), detects the format: nothing is parsed yet. Every failure is a BAD_INPUT naming the file. */
export async function openStatementFile(path: string, format: FileFormat | 'auto', o: ParseOptions): Promise<StatementFile> {
  let probe: Awaited<ReturnType<typeof probeFile>>;
  try {
    const size = statSync(path).size;
    if (size > MAX_FILE_BYTES) throw fileError(path, `is ${Math.round(size / 2 ** 20)} MB; statement files over ${MAX_FILE_BYTES / 2 ** 30} GB are refused`);
    probe = await probeFile(path);
  } catch (e) {
    if (e instanceof BanksyncError) throw e;
    throw fileError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const chosen = chooseFormat(probe.head, path, format);
  return {
    path,
    format: chosen,
    sha256: probe.sha256,
    charset: probe.charset.charset,
    read: async (sink) => {
      const guardedSink = guarded(sink);
      const parser = parserFor(chosen, path, o, guardedSink);
      try {
        for (let n = 0; parser.begin(n); n++) {
          for await (const text of textChunks(path, probe.charset)) {
            parser.write(text);
            await guardedSink.settled?.();
          }
          parser.end();
          await guardedSink.settled?.();
        }
      } catch (e) {
        // The sink's work queued before the parser failed came earlier in the file: its failure, if any, is the first.
        if (!(e instanceof FromSink)) await guardedSink.settled?.().catch((sinkError: unknown) => Promise.reject(asFileError(sinkError, path, chosen)));
        throw asFileError(e, path, chosen);
      }
      const warnings = parser.warnings();
      return probe.charset.warning ? [probe.charset.warning, ...warnings] : warnings;
    },
  };
}

/** Reads, decodes, detects and parses bytes already in memory, the whole file at once (tests, small files). */
export function parseBytes(bytes: Buffer, path: string, format: FileFormat | 'auto', o: ParseOptions): ReadFile {
  if (bytes.length === 0) throw fileError(path, 'is empty: there is nothing to import', 'download the statement from your bank again');
  if (bytes.subarray(0, 8192).includes(0) && !(bytes[0] === 0xff || bytes[0] === 0xfe)) throw fileError(path, 'is binary, not a statement file');
  const { text, charset, warning } = decode(bytes, path);
  const chosen = chooseFormat(text, path, format);
  const sink = collector();
  const parser = parserFor(chosen, path, o, sink);
  try {
    parseWhole(parser, text);
  } catch (e) {
    throw asFileError(e, path, chosen);
  }
  const warnings = parser.warnings();
  if (warning) warnings.unshift(warning);
  return { format: chosen, statements: sink.statements, warnings, sha256: createHash('sha256').update(bytes).digest('hex'), charset };
}

function chooseFormat(head: string, path: string, format: FileFormat | 'auto'): FileFormat {
  const detected = detectFormat(head);
  const chosen = format === 'auto' ? detected : format;
  if (!chosen) throw fileError(path, 'is not OFX, QFX, CAMT.053, CSV or QIF by its content', 'give --format if it is one of them');
  if (format !== 'auto' && detected && detected !== format) throw fileError(path, `looks like ${detected}, not ${format}`, 'drop --format to let the content decide');
  return chosen;
}

/** QIF is read whole: files are small in practice (Quicken and Money exports of one account). */
export function parserFor(format: FileFormat, path: string, o: ParseOptions, sink: StatementSink): StreamParser {
  if (format === 'ofx') return ofxParser(path, o, sink);
  if (format === 'camt') return camtParser(path, sink);
  if (format === 'qif') return wholeFile('qif', (text) => parseQif(text, path, o), sink);
  return csvParser(path, o, sink);
}

/** Every message names the file; a parser bug or a shape we never saw is still one clean line. The sink's own failures pass untouched. */
function asFileError(e: unknown, path: string, format: FileFormat): unknown {
  if (e instanceof FromSink) return e.error;
  if (e instanceof BanksyncError) return e.reason === FILE_NAMED ? e : fileError(path, e.message, e.hint);
  return fileError(path, `cannot be read as ${format}: ${(e as Error).message.split('\n')[0]}`);
}
