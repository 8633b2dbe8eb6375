import type { AccountKind, TransactionType } from '../core/model.js';
import { parseAmount } from './amounts.js';
import { fileError } from './errors.js';
import type { FileLine, FileStatement, ParsedFile } from './types.js';
import { parseXml } from './xml.js';

/** A parsed OFX element: leaves hold text, aggregates hold children (repeatable names as arrays). */
interface Node {
  [name: string]: string | Node | (string | Node)[];
}

const MAX_DEPTH = 32;
const TRNTYPE: Record<string, TransactionType> = {
  CREDIT: 'credit', DEBIT: 'debit', INT: 'interest', DIV: 'credit', FEE: 'fee', SRVCHG: 'fee', DEP: 'credit', ATM: 'atm',
  POS: 'pos', XFER: 'transfer', CHECK: 'check', PAYMENT: 'payment', CASH: 'atm', DIRECTDEP: 'credit', DIRECTDEBIT: 'debit',
  REPEATPMT: 'payment', OTHER: 'other',
};

/**
 * OFX 1.x (SGML) and 2.x (XML), bank and credit-card statements, QFX included (Quicken's
 * extra INTU.* elements are ignored). SGML leaves have no end tags, so 1.x is read by a small
 * tokenizer that knows only that rule; 2.x goes through the XML parser.
 */
export function parseOfx(text: string, file: string): ParsedFile {
  const warnings: string[] = [];
  const start = text.search(/<OFX>/i);
  if (start < 0) throw fileError(file, 'has no <OFX> element: not an OFX file, or truncated');
  const isXml = /^\s*<\?xml/i.test(text) || /<\?OFX/i.test(text.slice(0, start));
  const root = isXml ? fromXml(text, file) : fromSgml(text.slice(start), file, warnings);
  const ofx = root.OFX as Node | undefined;
  if (!ofx || typeof ofx !== 'object') throw fileError(file, 'has no OFX aggregate');
  const statements: FileStatement[] = [];
  const unknownTypes = new Set<string>();
  for (const [set, trn, rs, card] of [
    ['BANKMSGSRSV1', 'STMTTRNRS', 'STMTRS', false],
    ['CREDITCARDMSGSRSV1', 'CCSTMTTRNRS', 'CCSTMTRS', true],
  ] as const) {
    for (const msgs of list(ofx[set])) {
      for (const trnrs of list((msgs as Node)[trn])) {
        for (const stmt of list((trnrs as Node)[rs])) statements.push(statement(stmt as Node, card, file, statements.length + 1, unknownTypes));
      }
    }
  }
  if (statements.length === 0) throw fileError(file, 'holds no bank or credit-card statement (STMTRS/CCSTMTRS)');
  if (unknownTypes.size) warnings.push(`unknown TRNTYPE ${[...unknownTypes].join(', ')}: typed by the amount's sign`);
  return { format: 'ofx', statements, warnings };
}

function statement(s: Node, card: boolean, file: string, n: number, unknownTypes: Set<string>): FileStatement {
  const currency = leaf(s, 'CURDEF');
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw fileError(file, `statement ${n}: missing or bad CURDEF`);
  const from = (card ? s.CCACCTFROM : (s.BANKACCTFROM ?? s.CCACCTFROM)) as Node | undefined;
  if (!from || typeof from !== 'object') throw fileError(file, `statement ${n}: no ${card ? 'CCACCTFROM' : 'BANKACCTFROM'}`);
  const acctId = leaf(from, 'ACCTID');
  if (!acctId) throw fileError(file, `statement ${n}: no ACCTID`);
  const acctType = leaf(from, 'ACCTTYPE');
  const kind: AccountKind = card ? 'credit_card' : acctType === 'SAVINGS' ? 'savings' : acctType === 'CREDITLINE' ? 'loan' : 'checking';
  const lines: FileLine[] = [];
  const seen = new Set<string>();
  const tranlist = s.BANKTRANLIST as Node | undefined;
  list(tranlist?.STMTTRN).forEach((t, i) => {
    const where = `STMTTRN ${i + 1}`;
    const trn = t as Node;
    const fitid = leaf(trn, 'FITID');
    if (!fitid) throw fileError(file, `${where}: no FITID`);
    if (seen.has(fitid)) throw fileError(file, `${where}: FITID ${fitid} is used twice in the statement`, 'a bank file with duplicate FITIDs cannot be deduplicated safely');
    seen.add(fitid);
    const posted = leaf(trn, 'DTPOSTED');
    const amount = leaf(trn, 'TRNAMT');
    if (!posted || !amount) throw fileError(file, `${where}: needs DTPOSTED and TRNAMT`);
    const trntype = leaf(trn, 'TRNTYPE') ?? 'OTHER';
    if (!TRNTYPE[trntype]) unknownTypes.add(trntype);
    const name = leaf(trn, 'NAME') ?? leaf(trn.PAYEE as Node, 'NAME');
    const memo = leaf(trn, 'MEMO');
    let amountMinor: number;
    try {
      amountMinor = parseAmount(amount, leaf(trn.CURRENCY as Node, 'CURSYM') ?? currency);
    } catch {
      throw fileError(file, `${where}: TRNAMT "${amount}" is not a plain decimal amount`, 'OFX amounts have no thousands separators');
    }
    lines.push({
      id: fitid,
      bookingDate: ofxDate(posted, file, where),
      valueDate: leaf(trn, 'DTAVAIL') ? ofxDate(leaf(trn, 'DTAVAIL')!, file, where) : undefined,
      amountMinor,
      currency,
      payee: name,
      memo,
      type: TRNTYPE[trntype] ?? (amountMinor < 0 ? 'debit' : 'credit'),
      where,
    });
  });
  const balances = [];
  const ledger = s.LEDGERBAL as Node | undefined;
  if (ledger && leaf(ledger, 'BALAMT') && leaf(ledger, 'DTASOF')) {
    let amountMinor: number;
    try {
      amountMinor = parseAmount(leaf(ledger, 'BALAMT')!, currency);
    } catch {
      throw fileError(file, `statement ${n}: LEDGERBAL BALAMT "${leaf(ledger, 'BALAMT')}" is not a plain decimal amount`);
    }
    balances.push({ kind: 'closing' as const, amountMinor, date: ofxDate(leaf(ledger, 'DTASOF')!, file, 'LEDGERBAL') });
  }
  return { accountId: acctId, iban: /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(acctId) ? acctId : undefined, currency, kind, lines, balances };
}

/**
 * OFX dates: YYYYMMDD[HHMMSS[.XXX]][[+|-]h[.mm][:TZ]]. The calendar day as written is the booking
 * day (what Actual and GnuCash show); a time zone never moves it.
 */
export function ofxDate(raw: string, file: string, where: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{6}(\.\d{1,3})?)?(\[[+-]?\d{1,2}(\.\d{1,2})?(:[A-Za-z0-9]+)?\])?$/.exec(raw.trim());
  const date = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
  const d = new Date(`${date}T00:00:00Z`);
  if (!m || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) {
    throw fileError(file, `${where}: "${raw}" is not an OFX date (YYYYMMDD[HHMMSS][TZ])`);
  }
  return date;
}

function fromXml(text: string, file: string): Node {
  const body = text.replace(/^\s*<\?xml[^>]*\?>/i, '').replace(/<\?OFX[^>]*\?>/i, '');
  return parseXml(body, file, ['STMTTRN', 'STMTTRNRS', 'CCSTMTTRNRS', 'BANKMSGSRSV1', 'CREDITCARDMSGSRSV1']) as Node;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** SGML body → tree. Leaves: a tag followed by text; aggregates: a tag followed by elements, closed by its end tag. */
function fromSgml(body: string, file: string, warnings: string[]): Node {
  const root: Node = {};
  const stack: { name: string; node: Node }[] = [{ name: '', node: root }];
  const tag = /<(\/?)([A-Za-z0-9.]+)>([^<]*)/g;
  let rawAmp = false;
  let m: RegExpExecArray | null;
  let pos = 0;
  const lineAt = (i: number) => body.slice(0, i).split('\n').length;
  while ((m = tag.exec(body))) {
    if (body.slice(pos, m.index).trim()) throw fileError(file, `OFX body line ${lineAt(m.index)}: unexpected text outside an element`);
    pos = tag.lastIndex;
    const [, close, rawName, rawText] = m;
    const name = rawName!.toUpperCase();
    const value = rawText!.trim();
    if (close) {
      const i = stack.map((s) => s.name).lastIndexOf(name);
      if (i <= 0) {
        // An end tag for a leaf just read (closed leaves are legal SGML) is harmless.
        continue;
      }
      stack.length = i;
      continue;
    }
    const parent = stack.at(-1)!.node;
    if (value) {
      const decoded = value.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);?/gi, (all, e: string) => {
        if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
        const known = ENTITIES[e.toLowerCase()];
        if (known !== undefined && all.endsWith(';')) return known;
        rawAmp = true;
        return all;
      });
      add(parent, name, decoded);
    } else {
      if (stack.length > MAX_DEPTH) throw fileError(file, `OFX body line ${lineAt(m.index)}: elements nested deeper than ${MAX_DEPTH}`);
      const node: Node = {};
      add(parent, name, node);
      stack.push({ name, node });
    }
  }
  if (body.slice(pos).trim()) throw fileError(file, 'ends with text outside an element');
  if (stack.length > 1) throw fileError(file, `ends inside <${stack.at(-1)!.name}>: the file is truncated`);
  if (rawAmp) warnings.push('has a bare "&" in its text (should be &amp;); read literally');
  return root;
}

function add(parent: Node, name: string, value: string | Node): void {
  const existing = parent[name];
  if (existing === undefined) parent[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else parent[name] = [existing, value];
}

function list(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

function leaf(node: Node | undefined, name: string): string | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const v = node[name];
  const s = Array.isArray(v) ? v[0] : v;
  if (typeof s === 'string') return s.trim() || undefined;
  if (s && typeof s === 'object' && '#text' in s) return String((s as Record<string, unknown>)['#text']).trim() || undefined;
  return undefined;
}

