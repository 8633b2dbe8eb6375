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

interface Place {
  /** Line in the file of the element's start tag. */
  line: number;
  /** Document order. */
  seq: number;
  /** Line of each leaf (the first of a repeated name). */
  leaves: Record<string, number>;
}
const PLACES = new WeakMap<OfxNode, Place>();

/** Line in the file of an aggregate, or of one of its leaves. */
export function lineOf(node: OfxNode | undefined, leafName?: string): number | undefined {
  const place = node && PLACES.get(node);
  return leafName ? (place?.leaves[leafName] ?? place?.line) : place?.line;
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
  const clean = text
    .replace(/<!--[\s\S]*?-->/g, (c) => c.replace(/[^\n]/g, ''))
    .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_all, t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  const start = clean.search(/<OFX\s*>/i);
  if (start < 0) throw fileError(file, 'has no <OFX> element: not an OFX file, or truncated');
  const body = clean.slice(start);
  const bodyLine = lineCount(clean, 0, start) + 1;
  // The header is KEY:VALUE lines or XML processing instructions; an element there is outside the OFX.
  const stray = clean.slice(0, start).replace(/<\?[\s\S]*?\?>/g, (pi) => pi.replace(/[^\n]/g, ' ')).search(/</);
  if (stray >= 0) throw fileError(file, `line ${lineCount(clean, 0, stray) + 1}: an element before <OFX>, outside the OFX body`);
  const xmlHeader = /^\s*<\?xml/i.test(clean) || /<\?OFX/i.test(clean.slice(0, start));
  // A leaf whose text runs into the next start tag has no end tag: SGML style, whatever the header says.
  const sgmlLeaves = /<[A-Za-z0-9._]+\s*>[^<]*[^<\s][^<]*<(?!\/)/.test(body);
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
  const stack: { name: string; node: OfxNode }[] = [{ name: '', node: root }];
  const tag = /<(\/?)([A-Za-z0-9._]+)\s*(\/?)>([^<]*)/g;
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
    const gap = body.slice(pos, m.index);
    if (gap.trim()) throw fileError(file, `line ${lineAt(pos + gap.search(/\S/))}: unexpected text outside an element`);
    pos = tag.lastIndex;
    const [, close, rawName, selfClose, rawText] = m;
    const name = rawName!.toUpperCase();
    const value = rawText!.trim();
    const here = lineAt(m.index);
    if (close) {
      if (!/^[\s\x1a]*$/.test(rawText!)) throw fileError(file, `line ${lineAt(m.index + m[0].length - rawText!.length + rawText!.search(/\S/))}: unexpected text after </${rawName}>`);
      // An end tag for a leaf just read (closed leaves are legal SGML) is not on the stack: harmless.
      const i = stack.map((s) => s.name).lastIndexOf(name);
      if (i > 0) stack.length = i;
      continue;
    }
    const parent = stack.at(-1)!.node;
    if (selfClose) {
      if (value) throw fileError(file, `line ${here}: text after the empty element <${rawName}/>`);
      addLeaf(parent, name, '', here);
    } else if (value || LEAVES.has(name)) {
      const decoded = value.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);?/gi, (all, e: string) => {
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
      addLeaf(parent, name, decoded, here);
    } else {
      if (stack.length > MAX_DEPTH) throw fileError(file, `line ${here}: elements nested deeper than ${MAX_DEPTH}`);
      if (name === 'STMTTRN') {
        const open = stack.find((s) => s.name === 'STMTTRN');
        if (open) throw fileError(file, `line ${here}: a <STMTTRN> inside the one opened on line ${lineOf(open.node)}: its </STMTTRN> is missing`);
      }
      const node: OfxNode = {};
      PLACES.set(node, { line: here, seq: seq++, leaves: {} });
      add(parent, name, node);
      stack.push({ name, node });
    }
  }
  const tail = body.slice(pos);
  if (tail.trim()) throw fileError(file, `line ${lineAt(pos + tail.search(/\S/))}: unexpected text after the OFX body`);
  if (stack.length > 1) throw fileError(file, `ends inside <${stack.at(-1)!.name}>: the file is truncated (that element opens on line ${lineOf(stack.at(-1)!.node)})`);
  if (rawAmp) warnings.push('has a bare "&" in its text (should be &amp;); read literally');
  return root;
}

function addLeaf(parent: OfxNode, name: string, value: string, line: number): void {
  add(parent, name, value);
  const place = PLACES.get(parent);
  if (place) place.leaves[name] ??= line;
}

function add(parent: OfxNode, name: string, value: string | OfxNode): void {
  const existing = parent[name];
  if (existing === undefined) parent[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else parent[name] = [existing, value];
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
