import { SaxesParser } from 'saxes';
import type { BanksyncError } from '../core/errors.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { fileError } from './errors.js';

/**
 * XML through fast-xml-parser, hardened: no DOCTYPE at all (so no entity definitions, no billion
 * laughs, no external entities; bank files never need one), nesting capped, values kept as text.
 */
export function parseXml(text: string, file: string, arrays: readonly string[]): Record<string, unknown> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw fileError(file, 'holds a DOCTYPE or ENTITY declaration, which bank files never need; refused');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw fileError(file, `line ${valid.err.line}: not well-formed XML (${valid.err.msg})`);
  const arraySet = new Set(arrays);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    processEntities: true,
    htmlEntities: false,
    maxNestedTags: 64,
    isArray: (name) => arraySet.has(name),
  });
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw fileError(file, `cannot be read as XML: ${(e as Error).message.split('\n')[0]}`);
  }
}

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

/** Files up to this size keep their text while checked, so a broken one is worded as before (fast-xml-parser's line and reason). */
const WORDED_UP_TO = 16 * 1024 * 1024;

/**
 * Well-formedness of XML fed in chunks (saxes: a streaming reader, no tree). `error()` is the
 * first fault as "line N: not well-formed XML (reason)", or null.
 */
export class XmlCheck {
  private readonly parser = new SaxesParser({ position: true });
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

  error(): BanksyncError | null {
    this.parser.close();
    if (!this.first) return null;
    if (this.kept) {
      const valid = XMLValidator.validate(this.kept.join(''));
      if (valid !== true) return fileError(this.file, `line ${valid.err.line}: not well-formed XML (${valid.err.msg})`);
    }
    return fileError(this.file, `line ${this.first.line}: not well-formed XML (${this.first.message})`);
  }
}
