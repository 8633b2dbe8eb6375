import { createRequire } from 'node:module';
import type { SaxesParser } from 'saxes';
import type { XMLValidator } from 'fast-xml-parser';
import type { BanksyncError } from '../domain/errors.js';
import { fileError } from './errors.js';

// Loaded on first use, not with the import command: saxes and fast-xml-parser take longer to load
// than Node takes to start (~60 and ~45 ms of CPU), and an OFX 1.x (SGML) file needs neither.
// require, not import(): the readers are built synchronously, mid-pass.
const require = createRequire(import.meta.url);
let saxes: typeof import('saxes') | undefined;
let validator: typeof XMLValidator | undefined;
const newSaxesParser = () => new (saxes ??= require('saxes') as typeof import('saxes')).SaxesParser({ position: true });
const xmlValidator = () => (validator ??= (require('fast-xml-parser') as typeof import('fast-xml-parser')).XMLValidator);

/** Follows a path of element names through a parsed tree; undefined when any step is missing. */
export function at(node: unknown, ...path: string[]): unknown {
  let cur = node;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Text of an element that may carry attributes (`{ '#text': '12.30', '@Ccy': 'EUR' }`). */
export function text(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node === 'number') return String(node);
  if (node && typeof node === 'object' && '#text' in node) return String((node as Record<string, unknown>)['#text']);
  return undefined;
}

/** Files up to this size (2 MB: every real broken sample) keep their text while checked, so a broken one is worded as before (fast-xml-parser's line and reason). */
const WORDED_UP_TO = 2 * 1024 * 1024;

/**
 * Well-formedness of XML fed in chunks (saxes: a streaming reader, no tree). `error()` is the
 * first fault as "line N: not well-formed XML (reason)", or null.
 */
export class XmlCheck {
  /** The reader itself: a caller may listen to its elements as they pass (camt). */
  readonly parser: SaxesParser<{ position: true }> = newSaxesParser();
  private first: { line: number; message: string } | null = null;
  private kept: string[] | null = [];
  private keptLength = 0;

  constructor(private readonly file: string) {
    this.parser.on('error', (e) => {
      this.first ??= { line: this.parser.line, message: e.message.replace(/^[^:]*:\d+:\d+: /, '').replace(/\.$/, '') };
    });
  }

  write(chunk: string): void {
    if (this.kept) {
      this.keptLength += chunk.length;
      if (this.keptLength > WORDED_UP_TO) this.kept = null;
      else this.kept.push(chunk);
    }
    this.parser.write(chunk);
  }

  /** A fault was seen: what the reader says after it means nothing. */
  get failed(): boolean {
    return this.first !== null;
  }

  error(): BanksyncError | null {
    this.parser.close();
    if (!this.first) return null;
    if (this.kept) {
      const valid = xmlValidator().validate(this.kept.join(''));
      if (valid !== true) return fileError(this.file, `line ${valid.err.line}: not well-formed XML (${valid.err.msg})`);
    }
    return fileError(this.file, `line ${this.first.line}: not well-formed XML (${this.first.message})`);
  }
}
