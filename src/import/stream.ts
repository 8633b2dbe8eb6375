import { BanksyncError } from '../domain/errors.js';
import type { FileBalance, FileFormat, FileLine, FileStatement, ParsedFile } from './types.js';

/** A statement's account identity, known before its lines arrive. */
export type StatementHead = Omit<FileStatement, 'lines' | 'balances'>;

/**
 * Where a parser puts what it reads, in file order: a statement starts, its lines come in
 * batches, its balances close it. The import writes each batch as it comes (flat memory);
 * parseBytes collects them into a ParsedFile.
 */
export interface StatementSink {
  statement(head: StatementHead): void;
  lines(batch: FileLine[]): void;
  /** The statement's balances, after its last line. */
  end(balances: FileBalance[]): void;
  /**
   * A sink that writes asynchronously (the import, into the store) takes each call as work to do
   * and finishes it here: awaited after every chunk of text, so it never falls more than a chunk
   * behind the parser (flat memory), and its first failure is the file's error.
   */
  settled?(): Promise<void>;
}

/**
 * A parser fed text in chunks, over as many passes as it needs: a first pass may survey the
 * whole file (a decimal mark, a date layout, statement heads written after their lines) before
 * the last pass sends lines to the sink. Only the last pass may call the sink.
 */
export interface StreamParser {
  readonly format: FileFormat;
  /** Starts pass `n` (0, 1, ...); false when the previous pass was the last. */
  begin(n: number): boolean;
  write(text: string): void;
  /** End of the text of this pass. */
  end(): void;
  /** Warnings in the order the whole-file readers gave them; complete after the last pass. */
  warnings(): string[];
}

/** Lines per batch sent to the sink: the import dedupes and writes a batch at a time. */
export const BATCH_LINES = 2000;

/** Collects a batch of lines for a sink, in order. */
export class LineBatcher {
  private batch: FileLine[] = [];
  count = 0;
  constructor(private readonly sink: StatementSink) {}
  push(line: FileLine): void {
    this.batch.push(line);
    this.count++;
    if (this.batch.length >= BATCH_LINES) this.flush();
  }
  flush(): void {
    if (this.batch.length === 0) return;
    const b = this.batch;
    this.batch = [];
    this.sink.lines(b);
  }
}

/**
 * An error thrown by the sink (a write that failed, an account that does not fit) travels
 * through the parser untouched: only the parser's own failures are messages about the file.
 */
export class FromSink extends Error {
  constructor(readonly error: unknown) {
    super('from sink');
  }
}

/** The sink with every call's failure marked as the sink's. */
export function guarded(sink: StatementSink): StatementSink {
  const wrap =
    <A extends unknown[]>(f: (...a: A) => void) =>
    (...a: A) => {
      try {
        f(...a);
      } catch (e) {
        throw e instanceof FromSink ? e : new FromSink(e);
      }
    };
  const settled = sink.settled && (() => sink.settled!().catch((e: unknown) => Promise.reject(e instanceof FromSink ? e : new FromSink(e))));
  return { statement: wrap((h) => sink.statement(h)), lines: wrap((b) => sink.lines(b)), end: wrap((b) => sink.end(b)), ...(settled ? { settled } : {}) };
}

/** A sink that keeps everything: the whole file as one ParsedFile (tests, small files). */
export function collector(): StatementSink & { statements: FileStatement[] } {
  const statements: FileStatement[] = [];
  return {
    statements,
    statement: (head) => void statements.push({ ...head, lines: [], balances: [] }),
    lines: (batch) => {
      const st = statements.at(-1)!;
      for (const l of batch) st.lines.push(l);
    },
    end: (balances) => void (statements.at(-1)!.balances = balances),
  };
}

/** Runs every pass of a parser over text already in memory. */
export function parseWhole(parser: StreamParser, text: string): void {
  for (let n = 0; parser.begin(n); n++) {
    parser.write(text);
    parser.end();
  }
}

/** A whole-file parser (QIF: small in practice) as a StreamParser: the text is kept and read at the end. */
export function wholeFile(format: FileFormat, parse: (text: string) => ParsedFile, sink: StatementSink): StreamParser {
  let parts: string[] = [];
  let warnings: string[] = [];
  return {
    format,
    begin: (n) => n === 0,
    write: (t) => void parts.push(t),
    end: () => {
      const parsed = parse(parts.join(''));
      parts = [];
      warnings = parsed.warnings;
      for (const st of parsed.statements) {
        const { lines, balances, ...head } = st;
        sink.statement(head);
        for (let i = 0; i < lines.length; i += BATCH_LINES) sink.lines(lines.slice(i, i + BATCH_LINES));
        sink.end(balances);
      }
    },
    warnings: () => warnings,
  };
}

export const isBanksyncError = (e: unknown): e is BanksyncError => e instanceof BanksyncError;
