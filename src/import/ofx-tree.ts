import { XMLValidator } from 'fast-xml-parser';
import { fileError } from './errors.js';

/** A parsed OFX element: leaves hold text, aggregates hold children (repeated names as arrays). */
export interface OfxNode {
  [name: string]: string | OfxNode | (string | OfxNode)[];
}

export interface OfxTree {
  root: OfxNode;
  /** The body from <OFX> on, comments removed, for counting start tags. */
  body: string;
  /** Line in the file where the body starts. */
  bodyLine: number;
}

const MAX_DEPTH = 32;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * Elements the OFX spec defines as leaves (bank and card statements, signon, status). An empty
 * one (`<MEMO>` with no text, no end tag) is an empty leaf; read as an aggregate it would swallow
 * its next siblings, and then whole transactions.
 */
const LEAVES = new Set(
  ('CODE SEVERITY MESSAGE DTSERVER USERKEY TSKEYEXPIRE LANGUAGE DTPROFUP DTACCTUP ORG FID SESSCOOKIE ACCESSKEY TRNUID CLTCOOKIE ' +
    'CURDEF CURRATE CURSYM BANKID BRANCHID ACCTID ACCTTYPE ACCTKEY DTSTART DTEND TRNTYPE DTPOSTED DTUSER DTAVAIL TRNAMT FITID ' +
    'CORRECTFITID CORRECTACTION SRVRTID CHECKNUM REFNUM SIC PAYEEID NAME EXTDNAME MEMO INV401KSOURCE ADDR1 ADDR2 ADDR3 CITY STATE ' +
    'POSTALCODE COUNTRY PHONE BALAMT DTASOF MKTGINFO INTU.BID INTU.USERID').split(' '),
);

/** Where an aggregate stands; a leaf's line is looked up only for a message, in the aggregate's span. */
interface Place {
  /** Line in the file of the start tag. */
  line: number;
  /** Document order. */
  seq: number;
  /** The aggregate's span in the body: its start tag to the end tag that closed it. */
  start: number;
  end: number;
  body: string;
}
const PLACES = new WeakMap<OfxNode, Place>();

/** Line in the file of an aggregate, or of the first of its leaves of that name. */
export function lineOf(node: OfxNode | undefined, leafName?: string): number | undefined {
  const place = node && PLACES.get(node);
  if (!place || !leafName) return place?.line;
  const tag = new RegExp(`<${leafName.replace(/\./g, '\\.')}\\s*/?>`, 'gi');
  tag.lastIndex = place.start;
  const m = tag.exec(place.body);
  return m && m.index < place.end ? place.line + lineCount(place.body, place.start, m.index) : place.line;
}

/** Document order of an aggregate (for elements collected from several places). */
export function orderOf(node: OfxNode): number {
  return PLACES.get(node)?.seq ?? 0;
}

/**
 * OFX 1.x (SGML: leaves without end tags), OFX 2.x (XML) and the mixes real files hold (an XML
 * declaration over SGML leaves, `<BANKID/>`, comments) → one tree whose elements know their line
 * in the file. A body written as XML (every leaf closed) under an XML declaration must also be
 * well-formed XML: a mismatched end tag there is a broken file, not a style.
 */
export function readOfxTree(text: string, file: string, warnings: string[]): OfxTree {
  // Comments go and CDATA becomes escaped text, line breaks kept: every position keeps its line.
  const clean = mapSpans(mapSpans(text, '<!--', '-->', blank), '<![CDATA[', ']]>', (c) => c.slice(9, -3).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  const start = clean.search(/<OFX[\s>]/i);
  if (start < 0) throw fileError(file, 'has no <OFX> element: not an OFX file, or truncated');
  const body = clean.slice(start);
  const bodyLine = lineCount(clean, 0, start) + 1;
  // The header is KEY:VALUE lines or XML processing instructions; an element there is outside the OFX.
  const stray = mapSpans(clean.slice(0, start), '<?', '?>', (pi) => pi.replace(/[^\n]/g, ' ')).search(/</);
  if (stray >= 0) throw fileError(file, `line ${lineCount(clean, 0, stray) + 1}: an element before <OFX>, outside the OFX body`);
  const xmlHeader = /^\s*<\?xml/i.test(clean) || /<\?OFX/i.test(clean.slice(0, start));
  // A leaf whose text runs into the next start tag has no end tag: SGML style, whatever the header says.
  const sgmlLeaves = /<[A-Za-z0-9._]+\s*>\s*[^<\s][^<]*<(?!\/)/.test(body);
  if (xmlHeader && !sgmlLeaves) {
    if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw fileError(file, 'holds a DOCTYPE or ENTITY declaration, which bank files never need; refused');
    const valid = XMLValidator.validate(text);
    if (valid !== true) throw fileError(file, `line ${valid.err.line}: not well-formed XML (${valid.err.msg})`);
  }
  return { root: tokenize(body, bodyLine, file, warnings), body, bodyLine };
}

/** Leaves: a tag followed by text (or a known leaf name, or `<X/>`); aggregates: closed by their end tag. */
function tokenize(body: string, bodyLine: number, file: string, warnings: string[]): OfxNode {
  const root: OfxNode = {};
  const stack: { name: string; node: OfxNode; place?: Place }[] = [{ name: '', node: root }];
  const decode = (value: string, here: number) =>
    value.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);?/gi, (all, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        if (code > 0x10ffff) throw fileError(file, `line ${here}: ${all} is not a character`);
        return String.fromCodePoint(code);
      }
      const known = ENTITIES[e.toLowerCase()];
      if (known !== undefined && all.endsWith(';')) return known;
      rawAmp = true;
      return all;
    });
  // Attributes (an xmlns on <OFX> in some OFX 2 files) are allowed and ignored: OFX defines none.
  const tag = /<(\/?)([A-Za-z0-9._]+)(?:\s+[A-Za-z_:][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*(\/?)>([^<]*)/g;
  let rawAmp = false;
  let seq = 0;
  let line = bodyLine;
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
    const [, close, rawName, selfClose, rawText] = m;
    const name = rawName!.toUpperCase();
    const value = rawText!.trim();
    const here = lineAt(m.index);
    if (close) {
      if (!/^[\s\x1a]*$/.test(rawText!)) throw fileError(file, `line ${lineAt(m.index + m[0].length - rawText!.length + rawText!.search(/\S/))}: unexpected text after </${rawName}>`);
      // An end tag for a leaf just read (closed leaves are legal SGML) is not on the stack: harmless.
      let i = stack.length - 1;
      while (i > 0 && stack[i]!.name !== name) i--;
      if (i === 0) continue;
      for (let j = i; j < stack.length; j++) stack[j]!.place!.end = m.index;
      stack.length = i;
      continue;
    }
    const parent = stack.at(-1)!.node;
    if (selfClose) {
      if (value) throw fileError(file, `line ${here}: text after the empty element <${rawName}/>`);
      add(parent, name, '');
    } else if (value || LEAVES.has(name)) {
      add(parent, name, value.includes('&') ? decode(value, here) : value);
    } else {
      if (stack.length > MAX_DEPTH) throw fileError(file, `line ${here}: elements nested deeper than ${MAX_DEPTH}`);
      if (name === 'STMTTRN') {
        const open = stack.find((s) => s.name === 'STMTTRN');
        if (open) throw fileError(file, `line ${here}: a <STMTTRN> inside the one opened on line ${lineOf(open.node)}: its </STMTTRN> is missing`);
      }
      const node: OfxNode = {};
      const place: Place = { line: here, seq: seq++, start: m.index, end: body.length, body };
      PLACES.set(node, place);
      add(parent, name, node);
      stack.push({ name, node, place });
    }
  }
  const tail = body.slice(pos);
  if (tail.trim()) throw fileError(file, `line ${lineAt(pos + tail.search(/\S/))}: unexpected text after the OFX body`);
  if (stack.length > 1) throw fileError(file, `ends inside <${stack.at(-1)!.name}>: the file is truncated (that element opens on line ${lineOf(stack.at(-1)!.node)})`);
  if (rawAmp) warnings.push('has a bare "&" in its text (should be &amp;); read literally');
  return root;
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
