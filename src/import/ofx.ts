import { LineBatcher, type StatementHead, type StatementSink, type StreamParser } from './stream.js';
import { XmlCheck } from './xml.js';
import type { AccountKind, TransactionType } from '../domain/model.js';
import { fileError } from './errors.js';
import { ibanValid } from './iban.js';
import { StatementIds } from './ofx-ids.js';
import { decimalMarkOf, ofxAmount } from './ofx-amount.js';
import { leaf, lineOf, objects, OfxTokenizer, type OfxHooks, type OfxNode, type Open } from './ofx-tree.js';
import type { FileBalance, FileLine, ParseOptions } from './types.js';
import { plural } from '../domain/plural.js';

const TRNTYPE: Record<string, TransactionType> = {
  CREDIT: 'credit',
  DEBIT: 'debit',
  INT: 'interest',
  DIV: 'credit',
  FEE: 'fee',
  SRVCHG: 'fee',
  DEP: 'credit',
  ATM: 'atm',
  POS: 'pos',
  XFER: 'transfer',
  CHECK: 'check',
  PAYMENT: 'payment',
  CASH: 'atm',
  DIRECTDEP: 'credit',
  DIRECTDEBIT: 'debit',
  REPEATPMT: 'payment',
  OTHER: 'other',
};
const SETS = [
  ['BANKMSGSRSV1', 'STMTTRNRS', 'STMTRS', false],
  ['CREDITCARDMSGSRSV1', 'CCSTMTTRNRS', 'CCSTMTRS', true],
] as const;

/** What every statement of one file shares while it is read. */
interface Ctx {
  file: string;
  /** --currency, or the target account's: for a statement with an empty CURDEF. */
  currency?: string;
  warnings: string[];
  unknownTypes: Set<string>;
  /** The file's amounts show a decimal comma and no decimal dot (settles "1,234"). */
  commaFile: boolean;
  /** First amount read with a decimal comma, for the warning. */
  commaSeen?: string;
}

/** One statement as the survey found it: its aggregate without its STMTTRNs (sent away as they close). */
interface Found {
  stmt: OfxNode;
  card: boolean;
  /** Its number in messages: bank statements before card ones in each OFX, as the whole-file reader counted. */
  n: number;
  /** In the file: which <OFX>, and the order within it. */
  doc: number;
  ids: StatementIds;
  /** Lines of the STMTTRNs standing in the statement itself, outside <BANKTRANLIST>. */
  stray: number[];
  trns: number;
}

/**
 * OFX 1.x (SGML) and 2.x (XML), bank and credit-card statements, QFX included (Quicken's extra
 * INTU.* elements are ignored). Investment statements are not read: a file holding only those is
 * refused, one that also holds bank statements imports those with a warning. Every <STMTTRN> in
 * the bank part must end up in a statement, or the file is refused: never a partial import.
 *
 * Two passes over the text, both streaming: the survey reads the whole file (every element,
 * the XML check, each statement's head, the decimal mark its amounts settle, its ids) and keeps
 * no transaction; the second pass turns each STMTTRN into a line as it closes.
 */
export function ofxParser(file: string, o: ParseOptions, sink: StatementSink): StreamParser {
  const warnings: string[] = [];
  const statementWarnings: string[] = [];
  const found: Found[] = [];
  const statements = new Map<OfxNode, Found>();
  let docs = 0;
  let investments = 0;
  const evidence = { comma: false, dot: false };
  let tokenizer: OfxTokenizer;
  let xml: XmlCheck | null = null;
  let pendingXml: string[] | null = [];
  let failed: unknown = null;
  const bank = new BankPartCount();
  let ctx: Ctx;
  let reading: { found: Found; ctx: Ctx; batch: LineBatcher; i: number; currency: string } | null = null;
  let pass = 0;

  /** The statement a STMTTRN opening under `stack` belongs to: in its BANKTRANLIST, or standing in it. */
  const owner = (stack: readonly Open[]): Found | undefined => {
    const top = stack.at(-1)!;
    const stmt = top.name === 'BANKTRANLIST' ? stack.at(-2) : top;
    return stmt && statements.get(stmt.node);
  };
  const isStatement = (name: string, stack: readonly Open[]) =>
    stack.length === 4 && stack[1]!.name === 'OFX' && SETS.some(([set, trnrs, rs]) => stack[2]!.name === set && stack[3]!.name === trnrs && name === rs);

  const surveyHooks: OfxHooks = {
    open: (name, node, stack) => {
      if (name === 'OFX' && stack.length === 1) docs++;
      if (isStatement(name, stack)) {
        const f: Found = { stmt: node, card: stack[2]!.name === 'CREDITCARDMSGSRSV1', n: 0, doc: docs, ids: new StatementIds(file), stray: [], trns: 0 };
        found.push(f);
        statements.set(node, f);
      }
      if (name === 'INVSTMTRS' && stack.length === 4 && stack[1]!.name === 'OFX' && stack[2]!.name === 'INVSTMTMSGSRSV1' && stack[3]!.name === 'INVSTMTTRNRS') investments++;
      if (name !== 'STMTTRN') return true;
      const f = owner(stack);
      if (f) {
        if (stack.at(-1)!.name !== 'BANKTRANLIST') f.stray.push(lineOf(node)!);
      } else bank.lost(lineOf(node)!);
      return false;
    },
    close: (name, node, stack) => {
      if (name !== 'STMTTRN') return;
      const f = owner(stack);
      if (!f) return;
      f.ids.survey(node, f.trns++);
      note(evidence, leaf(node, 'TRNAMT'));
    },
    startTag: (name, line, aggregate) => bank.startTag(name, line, aggregate),
    endTag: (name) => bank.endTag(name),
  };

  const readHooks: OfxHooks = {
    open: (name, node, stack) => {
      if (isStatement(name, stack)) startStatement(found[statements.size]!, node);
      return name !== 'STMTTRN';
    },
    close: (name, node, stack) => {
      if (!reading) return;
      if (name === 'STMTTRN' && owner(stack) === reading.found) reading.batch.push(line(node, reading.i++, reading.currency, reading.found.ids, reading.ctx));
      else if (statements.get(node) === reading.found) endStatement();
    },
  };

  const startStatement = (f: Found, node: OfxNode) => {
    statements.set(node, f);
    const head = statementHead(f, ctx);
    if (f.ids.repeated) throw f.ids.repeated;
    statementWarnings.push(...f.ids.warnings());
    const batch = new LineBatcher(sink);
    sink.statement(head);
    reading = { found: f, ctx, batch, i: 0, currency: head.currency! };
  };
  const endStatement = () => {
    const r = reading!;
    r.batch.flush();
    sink.end(balancesOf(r.found, r.currency, r.ctx));
    reading = null;
  };

  return {
    format: 'ofx',
    begin(n) {
      pass = n;
      if (n === 0) tokenizer = new OfxTokenizer(file, surveyHooks);
      else if (n === 1) {
        numberStatements(found);
        for (const f of found) f.ids.surveyed();
        for (const f of found) for (const b of ['LEDGERBAL', 'AVAILBAL']) note(evidence, leaf(objects(f.stmt[b])[0], 'BALAMT'));
        ctx = { file, currency: o.currency?.toUpperCase(), warnings: statementWarnings, unknownTypes: new Set(), commaFile: evidence.comma && !evidence.dot };
        statements.clear();
        tokenizer = new OfxTokenizer(file, readHooks);
      }
      return n <= 1;
    },
    write(text) {
      if (pass === 0) {
        // Under an XML header the body must be well-formed XML (unless its leaves are SGML), and
        // that fault is the one reported: a tokenizer failure waits for the end of the check.
        if (!failed) {
          try {
            tokenizer.write(text);
          } catch (e) {
            failed = e;
          }
        }
        if (pendingXml) {
          pendingXml.push(text);
          if (tokenizer.xmlHeader) {
            xml = new XmlCheck(file);
            for (const t of pendingXml) xml.write(t);
            pendingXml = null;
          } else if (tokenizer.inBody || failed) pendingXml = null;
        } else xml?.write(text);
        if (failed && !xml) throw failed;
      } else tokenizer.write(text);
    },
    end() {
      if (pass === 0) {
        if (!failed) {
          try {
            tokenizer.end();
          } catch (e) {
            failed = e;
          }
        }
        if (tokenizer.xmlHeader && !tokenizer.sgmlLeaves) {
          if (tokenizer.doctype) throw fileError(file, 'holds a DOCTYPE or ENTITY declaration, which bank files never need; refused');
          const bad = xml?.error();
          if (bad) throw bad;
        }
        if (failed) throw failed;
        if (tokenizer.rawAmp) warnings.push('has a bare "&" in its text (should be &amp;); read literally');
        if (docs === 0) throw fileError(file, 'has no OFX aggregate');
        if (found.length === 0) {
          if (investments > 0)
            throw fileError(file, 'holds only investment statements (INVSTMTRS): investment statements are not supported', 'banksync imports bank and credit-card statements (STMTRS, CCSTMTRS)');
          throw fileError(file, 'holds no bank or credit-card statement (STMTRS/CCSTMTRS)');
        }
        return;
      }
      tokenizer.end();
      bank.check(
        found.length,
        found.reduce((t, f) => t + f.trns, 0),
        file,
      );
      warnings.push(...statementWarnings);
      if (investments > 0) warnings.push(`${plural(investments, 'investment statement')} (INVSTMTRS) skipped: investment statements are not supported; the bank and card statements were read in full`);
      if (ctx.commaSeen) warnings.push(`amounts use a decimal comma (${ctx.commaSeen}), not OFX's dot; read as decimals`);
      if (ctx.unknownTypes.size) warnings.push(`unknown TRNTYPE ${[...ctx.unknownTypes].join(', ')}: typed by the amount's sign`);
    },
    warnings: () => warnings,
  };
}

/** Decimal evidence of one amount: usesDecimalComma, one amount at a time. */
function note(evidence: { comma: boolean; dot: boolean }, raw: string | undefined): void {
  const mark = decimalMarkOf(raw);
  if (mark === ',') evidence.comma = true;
  else if (mark === '.') evidence.dot = true;
}

/** Statement numbers as the whole-file reader gave them: per <OFX>, bank statements first, then card ones. */
function numberStatements(found: Found[]): void {
  const order = [...found].sort((a, b) => a.doc - b.doc || Number(a.card) - Number(b.card));
  order.forEach((f, i) => (f.n = i + 1));
}

/**
 * Start tags of statements and STMTTRNs in the bank and card part of the file, against those
 * read into a statement: investment statements hold STMTTRNs too (INVBANKTRAN), skipped on
 * purpose; a span from <INVSTMTMSGSRSV1> to its end tag is not counted (an unclosed one is).
 */
interface Part {
  statements: number;
  stmttrns: number;
  firstLost?: number;
}

class BankPartCount {
  private readonly bank: Part = { statements: 0, stmttrns: 0 };
  private inv: Part | null = null;
  private tagLine = 0;

  startTag(name: string, line: number, aggregate: boolean): void {
    if (name === 'INVSTMTMSGSRSV1') this.inv ??= { statements: 0, stmttrns: 0 };
    const part = this.inv ?? this.bank;
    if (name === 'STMTRS' || name === 'CCSTMTRS') part.statements++;
    if (name !== 'STMTTRN') return;
    part.stmttrns++;
    this.tagLine = line;
    if (!aggregate) this.lost(line);
  }

  endTag(name: string): void {
    if (name === 'INVSTMTMSGSRSV1') this.inv = null;
  }

  /** A STMTTRN read where no statement holds it (counted when its start tag was a plain one). */
  lost(line: number): void {
    if (line !== this.tagLine) return;
    (this.inv ?? this.bank).firstLost ??= line;
  }

  /** The last word against a silent loss; a stray or missing end tag can move an element where no reader looks. */
  check(statementsRead: number, read: number, file: string): void {
    const statements = this.bank.statements + (this.inv?.statements ?? 0);
    const expected = this.bank.stmttrns + (this.inv?.stmttrns ?? 0);
    if (statementsRead < statements) {
      throw fileError(
        file,
        `holds ${statements} statements (STMTRS/CCSTMTRS) but only ${statementsRead} stand where a statement belongs: a stray or missing end tag breaks the file; nothing was imported`,
      );
    }
    if (read >= expected) return;
    const lost = this.bank.firstLost ?? this.inv?.firstLost;
    throw fileError(
      file,
      `line ${lost}: this STMTTRN is not inside a statement's transaction list (${expected} STMTTRN in the file, ${read} in statements): a stray or missing end tag breaks the file; nothing was imported`,
      'fix the element structure around that line, or ask the bank for a new export',
    );
  }
}

function statementHead(f: Found, ctx: Ctx): StatementHead {
  const { file } = ctx;
  const { stmt: s, card, n } = f;
  let currency = leaf(s, 'CURDEF')?.toUpperCase();
  if (!currency) {
    if (!ctx.currency) throw fileError(file, `line ${lineOf(s, 'CURDEF')}: statement ${n}: CURDEF is missing or empty`, 'give the currency, e.g. --currency USD');
    currency = ctx.currency;
    ctx.warnings.push(`statement ${n} has no CURDEF: read in ${currency}, as --currency (or the account imported into) says`);
  }
  if (!/^[A-Z]{3}$/.test(currency)) throw fileError(file, `line ${lineOf(s, 'CURDEF')}: statement ${n}: CURDEF "${currency}" is not a currency code`);
  const from = objects(card ? s.CCACCTFROM : (s.BANKACCTFROM ?? s.CCACCTFROM))[0];
  if (!from) throw fileError(file, `line ${lineOf(s)}: statement ${n}: no ${card ? 'CCACCTFROM' : 'BANKACCTFROM'}`);
  const acctId = leaf(from, 'ACCTID');
  if (!acctId) throw fileError(file, `line ${lineOf(from)}: statement ${n}: no ACCTID`);
  const acctType = leaf(from, 'ACCTTYPE');
  const kind: AccountKind = card ? 'credit_card' : acctType === 'SAVINGS' ? 'savings' : acctType === 'CREDITLINE' ? 'loan' : 'checking';
  const compact = acctId.replace(/\s+/g, '').toUpperCase();
  const ibanShaped = /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(compact);
  if (ibanShaped && !ibanValid(compact)) ctx.warnings.push(`statement ${n}: ACCTID ${acctId} looks like an IBAN but fails its check digits; kept as an account number`);
  for (const line of f.stray) {
    ctx.warnings.push(`line ${line}: a STMTTRN stands outside <BANKTRANLIST> (after a stray </BANKTRANLIST>); read as part of statement ${n}, as libofx and ofxparse do`);
  }
  return { accountId: acctId, iban: ibanShaped && ibanValid(compact) ? compact : undefined, currency, kind };
}

/** One STMTTRN (the i-th of its statement) into a line. */
function line(trn: OfxNode, i: number, currency: string, ids: StatementIds, ctx: Ctx): FileLine {
  const { file } = ctx;
  // Built only for a message (a leaf's line is searched for): most lines never need one.
  const where = (name?: string) => () => `line ${lineOf(trn, name)}: STMTTRN ${i + 1}`;
  const posted = leaf(trn, 'DTPOSTED');
  const amount = leaf(trn, 'TRNAMT');
  if (!posted || !amount) throw fileError(file, `${where()()}: needs DTPOSTED and TRNAMT`);
  const trntype = leaf(trn, 'TRNTYPE')?.toUpperCase() ?? 'OTHER';
  if (!TRNTYPE[trntype]) ctx.unknownTypes.add(trntype);
  // <CURRENCY> says TRNAMT is in another currency (ORIGCURRENCY, by contrast, is converted already).
  const cursym = leaf(objects(trn.CURRENCY)[0], 'CURSYM')?.toUpperCase();
  if (cursym && cursym !== currency) {
    throw fileError(
      file,
      `${where('CURSYM')()}: TRNAMT is in ${cursym} (its CURRENCY), not the statement's ${currency}`,
      'banksync does not convert currencies; a line stored in the wrong currency would be wrong money',
    );
  }
  const amountMinor = readAmount(amount, currency, where('TRNAMT'), 'TRNAMT', ctx);
  const avail = leaf(trn, 'DTAVAIL');
  return {
    id: ids.idOf(trn),
    bookingDate: ofxDate(posted, file, where('DTPOSTED')),
    valueDate: avail ? ofxDate(avail, file, where('DTAVAIL')) : undefined,
    amountMinor,
    currency,
    payee: leaf(trn, 'NAME') ?? leaf(objects(trn.PAYEE)[0], 'NAME'),
    memo: leaf(trn, 'MEMO'),
    type: TRNTYPE[trntype] ?? (amountMinor < 0 ? 'debit' : 'credit'),
    where: `line ${lineOf(trn)}: STMTTRN ${i + 1}`,
  };
}

function balancesOf(f: Found, currency: string, ctx: Ctx): FileBalance[] {
  const balances: FileBalance[] = [];
  const ledger = objects(f.stmt.LEDGERBAL)[0];
  const balamt = leaf(ledger, 'BALAMT');
  const asOf = leaf(ledger, 'DTASOF');
  if (ledger && balamt && asOf) {
    const at = () => `line ${lineOf(ledger, 'BALAMT')}: statement ${f.n} LEDGERBAL`;
    balances.push({ kind: 'closing', amountMinor: readAmount(balamt, currency, at, 'BALAMT', ctx), date: ofxDate(asOf, ctx.file, () => `line ${lineOf(ledger, 'DTASOF')}: LEDGERBAL`) });
  }
  return balances;
}

function readAmount(raw: string, currency: string, where: () => string, what: string, ctx: Ctx): number {
  const { minor, comma } = ofxAmount(raw, currency, where, what, ctx.commaFile, ctx.file);
  if (comma) ctx.commaSeen ??= raw.trim();
  return minor;
}

/**
 * OFX dates: YYYYMMDD[HH[MM[SS[.XXX]]]][[+|-]h[.mm][:TZ]] (the spec's YYYYMMDDHHMMSS.XXX and
 * the shorter forms banks write). The calendar day as written is the booking day (what Actual
 * and GnuCash show); a time zone never moves it.
 */
export function ofxDate(raw: string, file: string, where: string | (() => string)): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2}(\d{2}(\d{2}(\.\d{1,3})?)?)?)?\s*(\[[+-]?\d{1,2}(\.\d{1,2})?(:[A-Za-z0-9]+)?\])?$/.exec(raw.trim());
  if (!m || !realDay(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw fileError(file, `${typeof where === 'string' ? where : where()}: "${raw}" is not an OFX date (YYYYMMDD[HHMMSS][TZ])`);
  }
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** A day of the (proleptic Gregorian) calendar: month 1-12, day within its month. */
function realDay(y: number, month: number, day: number): boolean {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return days !== undefined && day >= 1 && day <= days;
}
