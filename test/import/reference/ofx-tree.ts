// The OFX tokenizer as it was before the hand-written tag scanner (a regex per tag, a second for
// plain tags), kept only as the reference ofx-tokenizer.test.ts holds the scanner to. Not used by src/.

import { fileError } from '../../../src/import/errors.js';

/** A parsed OFX element: leaves hold text, aggregates hold children (repeated names as arrays). */
export interface OfxNode {
  [name: string]: string | OfxNode | (string | OfxNode)[];
}

const MAX_DEPTH = 32;
/** A comment, CDATA section or run of text that no tag ends, held while the file streams: longer is refused. */
const MAX_HELD = 16 * 1024 * 1024;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * Elements the OFX spec defines as leaves (bank and card statements, signon, status). An empty
 * one (`<MEMO>` with no text, no end tag) is an empty leaf; read as an aggregate it would swallow
 * its next siblings, and then whole transactions.
 */
const LEAVES = new Set(
  (
    'CODE SEVERITY MESSAGE DTSERVER USERKEY TSKEYEXPIRE LANGUAGE DTPROFUP DTACCTUP ORG FID SESSCOOKIE ACCESSKEY TRNUID CLTCOOKIE ' +
    'CURDEF CURRATE CURSYM BANKID BRANCHID ACCTID ACCTTYPE ACCTKEY DTSTART DTEND TRNTYPE DTPOSTED DTUSER DTAVAIL TRNAMT FITID ' +
    'CORRECTFITID CORRECTACTION SRVRTID CHECKNUM REFNUM SIC PAYEEID NAME EXTDNAME MEMO INV401KSOURCE ADDR1 ADDR2 ADDR3 CITY STATE ' +
    'POSTALCODE COUNTRY PHONE BALAMT DTASOF MKTGINFO INTU.BID INTU.USERID'
  ).split(' '),
);

/** Where an aggregate stands: its line, its document order, and the lines of the leaves read into it (for messages). */
interface Place {
  line: number;
  seq: number;
  /** Leaf names and their lines, in order: name, line, name, line... */
  leaves: (string | number)[];
}
/**
 * Each aggregate's Place, under a symbol: invisible to Object.entries and for-in like the
 * WeakMap it replaces, but without an ephemeron per element (a WeakMap entry per STMTTRN, in
 * both passes, is work for every garbage collection while the file streams).
 */
const PLACE = Symbol('place');
const placeOf = (node: OfxNode): Place | undefined => (node as unknown as { [PLACE]?: Place })[PLACE];

/** Line in the file of an aggregate, or of the first start tag of that name inside it (the aggregate's own line if none). */
export function lineOf(node: OfxNode | undefined, leafName?: string): number | undefined {
  const place = node && placeOf(node);
  if (!place || !leafName) return place?.line;
  return firstInside(node!, place, leafName) ?? place.line;
}

function firstInside(node: OfxNode, place: Place, name: string): number | undefined {
  let best: number | undefined;
  for (let i = 0; i < place.leaves.length; i += 2) {
    if (place.leaves[i] === name) {
      best = place.leaves[i + 1] as number;
      break;
    }
  }
  for (const [key, value] of Object.entries(node)) {
    for (const child of objects(value)) {
      const p = placeOf(child)!;
      const at = key === name ? p.line : firstInside(child, p, name);
      if (at !== undefined && (best === undefined || at < best)) best = at;
    }
  }
  return best;
}

/** Document order of an aggregate (for elements collected from several places). */
export function orderOf(node: OfxNode): number {
  return placeOf(node)?.seq ?? 0;
}

/** One open aggregate while the file is read. */
export interface Open {
  name: string;
  node: OfxNode;
}

/** What a reader of the tree wants to know as the file streams. */
export interface OfxHooks {
  /**
   * An aggregate opens under `stack` (the open aggregates, the root first). False keeps it out
   * of its parent: a STMTTRN is handed over when it closes and then forgotten (flat memory).
   */
  open?(name: string, node: OfxNode, stack: readonly Open[]): boolean;
  /** An aggregate closed (innermost first); `stack` holds its ancestors. */
  close?(name: string, node: OfxNode, stack: readonly Open[]): void;
  /** A plain start tag (`<NAME>`, no attributes, not `<NAME/>`) at `line`, and whether it made an aggregate. */
  startTag?(name: string, line: number, aggregate: boolean): void;
  /** A plain end tag (`</NAME>`). */
  endTag?(name: string): void;
}

/**
 * OFX 1.x (SGML: leaves without end tags), OFX 2.x (XML) and the mixes real files hold (an XML
 * declaration over SGML leaves, `<BANKID/>`, comments), read from text fed in chunks: comments
 * go and CDATA becomes escaped text (line breaks kept, so every position keeps its line), the
 * header is checked, then the body is tokenized into a tree whose elements know their line in
 * the file. Complete tokens are read as soon as the next "<" arrives; the tree keeps what the
 * hooks do not take away.
 */
export class OfxTokenizer {
  readonly root: OfxNode = {};
  /** An XML declaration or <?OFX ...?> header: the body must then be well-formed XML unless its leaves are SGML. */
  xmlHeader = false;
  /** A leaf whose text runs into the next start tag (SGML style, whatever the header says); looked for under an XML header only. */
  sgmlLeaves = false;
  /** A DOCTYPE or ENTITY declaration anywhere in the raw text. */
  doctype = false;
  rawAmp = false;

  private raw = '';
  private rawTail = '';
  private clean = '';
  private headSearched = 0;
  /** The <OFX> start tag was found: what follows is the body. */
  inBody = false;
  /** Line of clean[0] in body phase. */
  private line = 1;
  private readonly stack: (Open & { place?: Place })[] = [{ name: '', node: this.root }];
  private seq = 0;
  private sgmlTail = '';

  constructor(
    private readonly file: string,
    private readonly hooks: OfxHooks = {},
  ) {}

  write(chunk: string): void {
    if (!this.doctype) {
      if (/<!DOCTYPE|<!ENTITY/i.test(this.rawTail + chunk)) this.doctype = true;
      this.rawTail = chunk.slice(-9);
    }
    this.raw += chunk;
    this.cleanRaw(false);
    this.advance(false);
  }

  end(): void {
    this.cleanRaw(true);
    this.advance(true);
    if (!this.inBody) throw fileError(this.file, 'has no <OFX> element: not an OFX file, or truncated');
    const tail = this.clean;
    if (tail.trim()) throw fileError(this.file, `line ${this.line + lineCount(tail, 0, tail.search(/\S/))}: unexpected text after the OFX body`);
    if (this.stack.length > 1) throw fileError(this.file, `ends inside <${this.stack.at(-1)!.name}>: the file is truncated (that element opens on line ${lineOf(this.stack.at(-1)!.node)})`);
  }

  /** Comments and CDATA out of the raw text, as far as they are complete. */
  private cleanRaw(final: boolean): void {
    const raw = this.raw;
    let out = '';
    let from = 0;
    let pos = 0;
    let keep = raw.length;
    for (;;) {
      const i = raw.indexOf('<!', pos);
      if (i < 0) break;
      const rest = raw.slice(i, i + 9);
      const comment = rest.startsWith('<!--');
      const cdata = rest.startsWith('<![CDATA[');
      if (!comment && !cdata) {
        // "<!-" or "<![CD" at the very end may still become an opener.
        if (!final && i + 9 > raw.length && ('<!--'.startsWith(rest) || '<![CDATA['.startsWith(rest))) {
          keep = i;
          break;
        }
        pos = i + 2;
        continue;
      }
      const close = comment ? '-->' : ']]>';
      const end = raw.indexOf(close, i + (comment ? 4 : 9));
      if (end < 0) {
        // Unclosed at the end of the file: left as it is, for the tokenizer to refuse.
        if (final) break;
        if (raw.length - i > MAX_HELD)
          throw fileError(this.file, `line ${this.lineOfClean(out + raw.slice(from, i))}: a ${comment ? 'comment' : 'CDATA section'} runs over ${MAX_HELD / 2 ** 20} MB (unclosed?)`);
        keep = i;
        break;
      }
      const span = raw.slice(i, end + close.length);
      out += raw.slice(from, i) + (comment ? blank(span) : span.slice(9, -3).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
      from = pos = end + close.length;
    }
    // A lone "<" at the very end may still become an opener.
    if (!final && keep === raw.length && raw.endsWith('<')) keep = raw.length - 1;
    out += raw.slice(from, keep);
    this.raw = raw.slice(keep);
    this.clean += out;
  }

  /** The line an offset into the pending clean text stands on (for the rare message before the body). */
  private lineOfClean(prefix: string): number {
    return (this.inBody ? this.line : 1) + lineCount(this.clean + prefix, 0, (this.clean + prefix).length);
  }

  private advance(final: boolean): void {
    if (!this.inBody && !this.findBody(final)) return;
    const text = this.clean;
    const cut = final ? text.length : text.lastIndexOf('<');
    if (cut <= 0) return;
    const segment = text.slice(0, cut);
    if (this.xmlHeader && !this.sgmlLeaves) {
      this.sgmlLeaves = /<[A-Za-z0-9._]+\s*>\s*[^<\s][^<]*<(?!\/)/.test(this.sgmlTail + segment);
      this.sgmlTail = segment.slice(segment.lastIndexOf('<'));
    }
    const pos = this.tokenize(segment);
    this.line += lineCount(segment, 0, pos);
    this.clean = segment.slice(pos) + text.slice(cut);
    if (!final && pos < segment.length && segment.length - pos > MAX_HELD) {
      const gap = segment.slice(pos);
      throw fileError(this.file, `line ${this.line + lineCount(gap, 0, gap.search(/\S/))}: unexpected text outside an element`);
    }
  }

  /** Head phase: waits for `<OFX`, checks what stands before it. */
  private findBody(final: boolean): boolean {
    const from = Math.max(0, this.headSearched - 5);
    const found = this.clean.slice(from).search(/<OFX[\s>]/i);
    if (found < 0) {
      this.headSearched = this.clean.length;
      if (this.clean.length > MAX_HELD) throw fileError(this.file, 'has no <OFX> element: not an OFX file, or truncated');
      return false;
    }
    // "<OFX" right at the end of a chunk: wait for the character after it.
    if (!final && from + found + 4 >= this.clean.length) return false;
    const start = from + found;
    const head = this.clean.slice(0, start);
    // The header is KEY:VALUE lines or XML processing instructions; an element there is outside the OFX.
    const stray = mapSpans(head, '<?', '?>', (pi) => pi.replace(/[^\n]/g, ' ')).search(/</);
    if (stray >= 0) throw fileError(this.file, `line ${lineCount(head, 0, stray) + 1}: an element before <OFX>, outside the OFX body`);
    this.xmlHeader = /^\s*<\?xml/i.test(head) || /<\?OFX/i.test(head);
    this.line = lineCount(head, 0, start) + 1;
    this.clean = this.clean.slice(start);
    this.inBody = true;
    return true;
  }

  /** Leaves: a tag followed by text (or a known leaf name, or `<X/>`); aggregates: closed by their end tag. Returns how far it read. */
  private tokenize(body: string): number {
    const { file, stack, hooks } = this;
    const decode = (value: string, here: number) =>
      value.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);?/gi, (all, e: string) => {
        if (e[0] === '#') {
          const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
          if (code > 0x10ffff) throw fileError(file, `line ${here}: ${all} is not a character`);
          return String.fromCodePoint(code);
        }
        const known = ENTITIES[e.toLowerCase()];
        if (known !== undefined && all.endsWith(';')) return known;
        this.rawAmp = true;
        return all;
      });
    // Attributes (an xmlns on <OFX> in some OFX 2 files) are allowed and ignored: OFX defines none.
    const tag = /<(\/?)([A-Za-z0-9._]+)(?:\s+[A-Za-z_:][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*(\/?)>([^<]*)/g;
    let line = this.line;
    let scanned = 0;
    const lineAt = (i: number) => {
      line += lineCount(body, scanned, i);
      scanned = i;
      return line;
    };
    let m: RegExpExecArray | null;
    let pos = 0;
    while ((m = tag.exec(body))) {
      // Text runs up to the next "<", so a gap before a tag is a "<" that starts no tag.
      if (m.index !== pos) {
        const gap = body.slice(pos, m.index);
        throw fileError(file, `line ${lineAt(pos + gap.search(/\S/))}: unexpected text outside an element`);
      }
      pos = tag.lastIndex;
      const [all, close, rawName, selfClose, rawText] = m;
      const name = rawName!.toUpperCase();
      const value = rawText!.trim();
      const here = lineAt(m.index);
      const plain = !selfClose && /^<\/?[A-Za-z0-9._]+\s*>/.test(all!);
      if (close) {
        if (!/^[\s\x1a]*$/.test(rawText!)) throw fileError(file, `line ${lineAt(m.index + m[0].length - rawText!.length + rawText!.search(/\S/))}: unexpected text after </${rawName}>`);
        if (plain) hooks.endTag?.(name);
        // An end tag for a leaf just read (closed leaves are legal SGML) is not on the stack: harmless.
        let i = stack.length - 1;
        while (i > 0 && stack[i]!.name !== name) i--;
        if (i === 0) continue;
        while (stack.length > i) {
          const closed = stack.pop()!;
          hooks.close?.(closed.name, closed.node, stack);
        }
        continue;
      }
      const parentPlace = stack.at(-1)!.place;
      const parent = stack.at(-1)!.node;
      if (selfClose) {
        if (value) throw fileError(file, `line ${here}: text after the empty element <${rawName}/>`);
        add(parent, name, '');
        parentPlace?.leaves.push(name, here);
      } else if (value || LEAVES.has(name)) {
        if (plain) hooks.startTag?.(name, here, false);
        add(parent, name, value.includes('&') ? decode(value, here) : value);
        parentPlace?.leaves.push(name, here);
      } else {
        if (plain) hooks.startTag?.(name, here, true);
        if (stack.length > MAX_DEPTH) throw fileError(file, `line ${here}: elements nested deeper than ${MAX_DEPTH}`);
        if (name === 'STMTTRN') {
          const open = stack.find((s) => s.name === 'STMTTRN');
          if (open) throw fileError(file, `line ${here}: a <STMTTRN> inside the one opened on line ${lineOf(open.node)}: its </STMTTRN> is missing`);
        }
        const node: OfxNode = {};
        const place: Place = { line: here, seq: this.seq++, leaves: [] };
        Object.defineProperty(node, PLACE, { value: place });
        if (hooks.open?.(name, node, stack) ?? true) add(parent, name, node);
        stack.push({ name, node, place });
      }
    }
    return pos;
  }
}

function add(parent: OfxNode, name: string, value: string | OfxNode): void {
  const existing = parent[name];
  if (existing === undefined) parent[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else parent[name] = [existing, value];
}

/** Line breaks only: what a removed span leaves, so later positions keep their line. */
export const blank = (span: string) => span.replace(/[^\n]/g, '');

/**
 * Each span from `open` to the next `close` replaced by `map(span)`, in one pass (a lazy regex
 * rescans to the end for every unclosed opener: quadratic on a hostile file). An unclosed opener
 * is left as it is, for the tokenizer to refuse.
 */
export function mapSpans(text: string, open: string, close: string, map: (span: string) => string): string {
  let out = '';
  let from = 0;
  for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, from)) {
    const end = text.indexOf(close, i + open.length);
    if (end < 0) break;
    out += text.slice(from, i) + map(text.slice(i, end + close.length));
    from = end + close.length;
  }
  return from === 0 ? text : out + text.slice(from);
}

function lineCount(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** The aggregates among a value that may be missing, text, one element or several. */
export function objects(v: unknown): OfxNode[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is OfxNode => typeof x === 'object' && x !== null);
}

/** A leaf's text (the first of a repeated name); undefined when missing or empty. */
export function leaf(node: OfxNode | undefined, name: string): string | undefined {
  if (!node) return undefined;
  const v = node[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.trim() || undefined : undefined;
}
