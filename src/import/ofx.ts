import { wholeFile, type StatementSink, type StreamParser } from './stream.js';
import type { AccountKind, TransactionType } from '../core/model.js';
import { fileError } from './errors.js';
import { ibanValid } from './iban.js';
import { fileIds } from './ofx-ids.js';
import { ofxAmount, usesDecimalComma } from './ofx-amount.js';
import { blank, leaf, lineOf, mapSpans, objects, orderOf, readOfxTree, type OfxNode, type OfxTree } from './ofx-tree.js';
import type { FileBalance, FileLine, FileStatement, ParsedFile, ParseOptions } from './types.js';
import { plural } from '../core/plural.js';

const TRNTYPE: Record<string, TransactionType> = {
  CREDIT: 'credit', DEBIT: 'debit', INT: 'interest', DIV: 'credit', FEE: 'fee', SRVCHG: 'fee', DEP: 'credit', ATM: 'atm',
  POS: 'pos', XFER: 'transfer', CHECK: 'check', PAYMENT: 'payment', CASH: 'atm', DIRECTDEP: 'credit', DIRECTDEBIT: 'debit',
  REPEATPMT: 'payment', OTHER: 'other',
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

/**
 * OFX 1.x (SGML) and 2.x (XML), bank and credit-card statements, QFX included (Quicken's extra
 * INTU.* elements are ignored). Investment statements are not read: a file holding only those is
 * refused, one that also holds bank statements imports those with a warning. Every <STMTTRN> in
 * the bank part must end up in a statement, or the file is refused: never a partial import.
 */
export function parseOfx(text: string, file: string, o: ParseOptions = {}): ParsedFile {
  const warnings: string[] = [];
  const tree = readOfxTree(text, file, warnings);
  const docs = objects(tree.root.OFX);
  if (docs.length === 0) throw fileError(file, 'has no OFX aggregate');
  const found: { stmt: OfxNode; card: boolean; trns: OfxNode[] }[] = [];
  let investments = 0;
  for (const ofx of docs) {
    for (const [set, trnrs, rs, card] of SETS) {
      for (const msgs of objects(ofx[set])) for (const t of objects(msgs[trnrs])) for (const stmt of objects(t[rs])) found.push({ stmt, card, trns: transactions(stmt) });
    }
    for (const msgs of objects(ofx.INVSTMTMSGSRSV1)) for (const t of objects(msgs.INVSTMTTRNRS)) investments += objects(t.INVSTMTRS).length;
  }
  if (found.length === 0) {
    if (investments > 0) throw fileError(file, 'holds only investment statements (INVSTMTRS): investment statements are not supported', 'banksync imports bank and credit-card statements (STMTRS, CCSTMTRS)');
    throw fileError(file, 'holds no bank or credit-card statement (STMTRS/CCSTMTRS)');
  }
  const amounts = found.flatMap(({ stmt, trns }) => [
    ...trns.map((t) => leaf(t, 'TRNAMT')),
    ...['LEDGERBAL', 'AVAILBAL'].map((b) => leaf(objects(stmt[b])[0], 'BALAMT')),
  ]);
  const ctx: Ctx = { file, currency: o.currency?.toUpperCase(), warnings, unknownTypes: new Set(), commaFile: usesDecimalComma(amounts) };
  const statements = found.map(({ stmt, card, trns }, i) => statement(stmt, card, trns, i + 1, ctx));
  checkNothingDropped(tree, found.flatMap(({ trns }) => trns), found.length, file);
  if (investments > 0) warnings.push(`${plural(investments, 'investment statement')} (INVSTMTRS) skipped: investment statements are not supported; the bank and card statements were read in full`);
  if (ctx.commaSeen) warnings.push(`amounts use a decimal comma (${ctx.commaSeen}), not OFX's dot; read as decimals`);
  if (ctx.unknownTypes.size) warnings.push(`unknown TRNTYPE ${[...ctx.unknownTypes].join(', ')}: typed by the amount's sign`);
  return { format: 'ofx', statements, warnings };
}

/**
 * A statement's transactions in file order: every <BANKTRANLIST> block, and a STMTTRN standing
 * in the statement itself after a stray </BANKTRANLIST> (libofx and ofxparse read it as part of
 * the statement too).
 */
function transactions(stmt: OfxNode): OfxNode[] {
  const lists = objects(stmt.BANKTRANLIST);
  const stray = objects(stmt.STMTTRN);
  if (lists.length === 1 && stray.length === 0) return objects(lists[0]!.STMTTRN);
  return [...lists.flatMap((list) => objects(list.STMTTRN)), ...stray].sort((a, b) => orderOf(a) - orderOf(b));
}

function statement(s: OfxNode, card: boolean, trns: OfxNode[], n: number, ctx: Ctx): FileStatement {
  const { file } = ctx;
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

  for (const t of objects(s.STMTTRN)) {
    ctx.warnings.push(`line ${lineOf(t)}: a STMTTRN stands outside <BANKTRANLIST> (after a stray </BANKTRANLIST>); read as part of statement ${n}, as libofx and ofxparse do`);
  }
  const ids = fileIds(trns, file, ctx.warnings);
  const lines: FileLine[] = trns.map((trn, i) => {
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
      throw fileError(file, `${where('CURSYM')()}: TRNAMT is in ${cursym} (its CURRENCY), not the statement's ${currency}`, 'banksync does not convert currencies; a line stored in the wrong currency would be wrong money');
    }
    const amountMinor = readAmount(amount, currency!, where('TRNAMT'), 'TRNAMT', ctx);
    const avail = leaf(trn, 'DTAVAIL');
    return {
      id: ids[i],
      bookingDate: ofxDate(posted, file, where('DTPOSTED')),
      valueDate: avail ? ofxDate(avail, file, where('DTAVAIL')) : undefined,
      amountMinor,
      currency: currency!,
      payee: leaf(trn, 'NAME') ?? leaf(objects(trn.PAYEE)[0], 'NAME'),
      memo: leaf(trn, 'MEMO'),
      type: TRNTYPE[trntype] ?? (amountMinor < 0 ? 'debit' : 'credit'),
      where: `line ${lineOf(trn)}: STMTTRN ${i + 1}`,
    };
  });
  const balances: FileBalance[] = [];
  const ledger = objects(s.LEDGERBAL)[0];
  const balamt = leaf(ledger, 'BALAMT');
  const asOf = leaf(ledger, 'DTASOF');
  if (ledger && balamt && asOf) {
    const at = () => `line ${lineOf(ledger, 'BALAMT')}: statement ${n} LEDGERBAL`;
    balances.push({ kind: 'closing', amountMinor: readAmount(balamt, currency, at, 'BALAMT', ctx), date: ofxDate(asOf, file, () => `line ${lineOf(ledger, 'DTASOF')}: LEDGERBAL`) });
  }
  return { accountId: acctId, iban: ibanShaped && ibanValid(compact) ? compact : undefined, currency, kind, lines, balances };
}

function readAmount(raw: string, currency: string, where: () => string, what: string, ctx: Ctx): number {
  const { minor, comma } = ofxAmount(raw, currency, where, what, ctx.commaFile, ctx.file);
  if (comma) ctx.commaSeen ??= raw.trim();
  return minor;
}

/**
 * The last word against a silent loss: every <STMTTRN> and statement start tag in the bank and
 * card part of the file must have been read into a statement. A stray or missing end tag can move
 * an element where no reader looks; then the file is refused, naming the line.
 */
function checkNothingDropped(tree: OfxTree, read: OfxNode[], statementsRead: number, file: string): void {
  // Investment statements hold STMTTRNs too (INVBANKTRAN); they are skipped on purpose.
  const bank = /<INVSTMTMSGSRSV1/i.test(tree.body)
    ? mapSpans(tree.body.replace(/<(\/?)INVSTMTMSGSRSV1\s*>/gi, '<$1INVSTMTMSGSRSV1>'), '<INVSTMTMSGSRSV1>', '</INVSTMTMSGSRSV1>', blank)
    : tree.body;
  const stmts = count(bank, /<(?:CC)?STMTRS\s*>/gi);
  if (statementsRead < stmts) {
    throw fileError(file, `holds ${stmts} statements (STMTRS/CCSTMTRS) but only ${statementsRead} stand where a statement belongs: a stray or missing end tag breaks the file; nothing was imported`);
  }
  const expected = count(bank, /<STMTTRN\s*>/gi);
  if (read.length >= expected) return;
  // Name the first STMTTRN start tag that no statement holds.
  const placed = new Map<number, number>();
  for (const t of read) placed.set(lineOf(t)!, (placed.get(lineOf(t)!) ?? 0) + 1);
  const lost = tagLines(bank, /<STMTTRN\s*>/gi, tree.bodyLine).find((l) => {
    const left = placed.get(l) ?? 0;
    placed.set(l, left - 1);
    return left <= 0;
  });
  throw fileError(
    file,
    `line ${lost}: this STMTTRN is not inside a statement's transaction list (${expected} STMTTRN in the file, ${read.length} in statements): a stray or missing end tag breaks the file; nothing was imported`,
    'fix the element structure around that line, or ask the bank for a new export',
  );
}

function count(text: string, re: RegExp): number {
  let n = 0;
  while (re.exec(text)) n++;
  return n;
}

function tagLines(text: string, re: RegExp, firstLine: number): number[] {
  const out: number[] = [];
  let line = firstLine;
  let from = 0;
  for (const m of text.matchAll(re)) {
    for (let i = text.indexOf('\n', from); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
    from = m.index;
    out.push(line);
  }
  return out;
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

export const ofxParser = (file: string, o: ParseOptions, sink: StatementSink): StreamParser => wholeFile('ofx', (t) => parseOfx(t, file, o), sink);
