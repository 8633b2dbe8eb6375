import { KeySet } from '../domain/key-set.js';
import { LineBatcher, type StatementHead, type StatementSink, type StreamParser } from './stream.js';
import type { TransactionType } from '../domain/model.js';
import { parseAmount } from './amounts.js';
import { fileError } from './errors.js';
import type { FileBalance, FileLine } from './types.js';
import { ibanValid } from './iban.js';
import { at, text, XmlCheck } from './xml.js';
import { EntryReader } from './camt-entry.js';

const ARRAYS = new Set(['Stmt', 'Ntry', 'Bal', 'TxDtls', 'Ustrd']);

/** An element being built while the file streams, as fast-xml-parser would have built it. */
interface Building {
  name: string;
  node: Record<string, unknown>;
  text: string;
  children: boolean;
}

/** One Stmt as the first pass found it: everything but its entries, and the first entry's currency. */
interface Head {
  stmt: Record<string, unknown>;
  firstCcy?: string;
  entries: number;
}

/**
 * ISO 20022 camt.053 (BkToCstmrStmt), versions .001.02 to .001.08, with or without namespace
 * prefixes. Amounts are unsigned; CdtDbtInd gives the sign. Only booked entries are imported
 * (PDNG and INFO entries are not bookings). Opening + entries = closing is checked.
 *
 * Read as it streams with saxes, in two passes: the first checks the XML and keeps each Stmt's
 * head (account, balances: they may stand after the entries in a file that breaks the schema's
 * order); the second reads each Ntry's fields as they pass (EntryReader: no tree per entry) and
 * makes its line when it closes.
 */
export function camtParser(file: string, sink: StatementSink): StreamParser {
  const warnings: string[] = [];
  const heads: Head[] = [];
  let pass = 0;
  let check: XmlCheck;
  let rawTail = '';
  let stack: Building[] = [];
  let documents = 0;
  let bk = 0;
  let statementIndex = 0;
  let stmt: { n: number; head: StatementHead; balances: FileBalance[]; currency: string; batch: LineBatcher; refs: KeySet; entries: number; sum: number } | null = null;
  const reader = new EntryReader();
  /** Pass 1 is inside an Ntry of the statement being read: its events go to the reader. */
  let inEntry = false;

  const local = (name: string) => name.slice(name.indexOf(':') + 1);

  const open = (name: string, attributes: Record<string, string>) => {
    const depth = stack.length;
    const parent = stack.at(-1);
    if (parent) parent.children = true;
    if (depth === 0) documents++;
    // Document > BkToCstmrStmt > Stmt > (its children): only Stmt heads and entries are built.
    const inStmt = depth >= 3 && stack[0]!.name === 'Document' && stack[1]!.name === 'BkToCstmrStmt' && stack[2]!.name === 'Stmt';
    if (depth === 1 && name === 'BkToCstmrStmt' && stack[0]!.name === 'Document') bk++;
    if (depth === 2 && name === 'Stmt' && stack[1]!.name === 'BkToCstmrStmt' && bk === 1) {
      if (pass === 0) heads.push({ stmt: {}, entries: 0 });
      else startStatement(heads[statementIndex]!, ++statementIndex);
    }
    if (pass === 1 && inStmt && depth === 3 && name === 'Ntry' && stmt) {
      reader.begin();
      inEntry = true;
      return;
    }
    // The first entry's currency: the account's when nothing else names one.
    const head = heads.at(-1);
    if (pass === 0 && inStmt && depth === 4 && name === 'Amt' && stack[3]!.name === 'Ntry' && head && head.entries === 0) head.firstCcy ??= attributes.Ccy;
    const skip = parent?.node === SKIP || (inStmt && depth === 3 && (pass === 0 ? name === 'Ntry' : name !== 'Ntry'));
    const node: Record<string, unknown> = skip ? SKIP : {};
    if (!skip) for (const [k, v] of Object.entries(attributes)) if (!k.startsWith('xmlns')) node[`@${local(k)}`] = v;
    stack.push({ name, node, text: '', children: false });
  };

  const close = () => {
    if (inEntry) {
      if (reader.inside) reader.close();
      else {
        inEntry = false;
        entry();
      }
      return;
    }
    const el = stack.pop()!;
    const depth = stack.length;
    const parent = stack.at(-1);
    if (el.node === SKIP) {
      if (depth === 3 && el.name === 'Ntry' && pass === 0 && heads.length) heads.at(-1)!.entries++;
      return;
    }
    const value = elementValue(el);
    if (depth === 3 && stack[2]!.name === 'Stmt' && stack[1]!.name === 'BkToCstmrStmt') {
      if (pass === 0) {
        add(heads.at(-1)!.stmt, el.name, value);
        return;
      }
      return;
    }
    if (depth === 2 && el.name === 'Stmt' && pass === 1 && stmt) endStatement();
    if (parent && depth > 3) add(parent.node, el.name, value);
  };

  const startStatement = (h: Head, n: number) => {
    const { head, balances, currency } = statementHead(h, file, n, warnings);
    sink.statement(head);
    stmt = { n, head, balances, currency, batch: new LineBatcher(sink), refs: new KeySet(undefined, h.entries), entries: 0, sum: 0 };
  };

  const entry = () => {
    const s = stmt!;
    const i = s.entries++;
    const line = entryLine(reader, s.n, i, s.currency, s.refs, file, warnings);
    if (!line) return;
    s.sum += line.amountMinor;
    s.batch.push(line);
  };

  const endStatement = () => {
    const s = stmt!;
    s.batch.flush();
    const opening = s.balances.find((b) => b.kind === 'opening');
    const closing = s.balances.find((b) => b.kind === 'closing');
    if (opening && closing && opening.amountMinor + s.sum !== closing.amountMinor) {
      warnings.push(
        `Stmt ${s.n}: opening balance + entries = ${opening.amountMinor + s.sum} minor units, but the closing balance says ${closing.amountMinor}: an entry is missing or wrong in the file`,
      );
    }
    sink.end(s.balances);
    stmt = null;
  };

  return {
    format: 'camt',
    begin(n) {
      pass = n;
      stack = [];
      inEntry = false;
      documents = 0;
      bk = 0;
      statementIndex = 0;
      check = new XmlCheck(file);
      const p = check.parser;
      p.on('opentag', (t) => {
        if (check.failed) return;
        if (inEntry) reader.open(local(t.name), t.attributes as Record<string, string>);
        else open(local(t.name), t.attributes as Record<string, string>);
      });
      p.on('closetag', () => {
        if (!check.failed) close();
      });
      // Whitespace between child elements is no value (fast-xml-parser trimmed it away); kept, the
      // newlines between a million entries would pile up in the Stmt's text.
      const onText = (t: string) => {
        if (inEntry) {
          if (!check.failed) reader.text(t);
          return;
        }
        const top = stack.at(-1);
        if (top && top.node !== SKIP && !check.failed && (!top.children || /\S/.test(t))) top.text += t;
      };
      p.on('text', onText);
      p.on('cdata', onText);
      return n <= 1;
    },
    write(text) {
      if (pass === 0) {
        if (/<!DOCTYPE|<!ENTITY/i.test(rawTail + text)) throw fileError(file, 'holds a DOCTYPE or ENTITY declaration, which bank files never need; refused');
        rawTail = text.slice(-9);
      }
      check.write(text);
    },
    end() {
      const bad = check.error();
      if (pass === 1) return;
      if (bad) throw bad;
      if (documents !== 1 || bk !== 1) throw fileError(file, 'is XML but not a camt.053 statement (no Document/BkToCstmrStmt)');
      if (heads.length === 0) throw fileError(file, 'holds no Stmt');
    },
    warnings: () => warnings,
  };
}

const SKIP: Record<string, unknown> = {};

/** fast-xml-parser's shape: text alone is a string; attributes or children make an object ('#text' for the text). */
function elementValue(el: Building): unknown {
  const text = el.text.trim();
  const keys = Object.keys(el.node);
  if (keys.length === 0 && !el.children) return text;
  if (text) el.node['#text'] = text;
  return el.node;
}

function add(parent: Record<string, unknown>, name: string, value: unknown): void {
  const existing = parent[name];
  if (ARRAYS.has(name)) {
    if (Array.isArray(existing)) existing.push(value);
    else parent[name] = [value];
  } else if (existing === undefined) parent[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else parent[name] = [existing, value];
}

function statementHead(h: Head, file: string, n: number, warnings: string[]): { head: StatementHead; balances: FileBalance[]; currency: string } {
  const s = h.stmt;
  const iban = text(at(s, 'Acct', 'Id', 'IBAN'))?.replace(/\s+/g, '');
  const other = text(at(s, 'Acct', 'Id', 'Othr', 'Id'));
  if (!iban && !other) throw fileError(file, `Stmt ${n}: Acct/Id has neither IBAN nor Othr/Id`);
  // A mistyped IBAN in the bank's own file still names the account the bank means: read the file,
  // keep the number as written (not as an IBAN, so it is never shown or matched as a valid one).
  const badIban = iban !== undefined && !ibanValid(iban);
  if (badIban) warnings.push(`Stmt ${n}: IBAN ${iban} fails its check digits; kept as the account number as written`);
  const balances: FileBalance[] = [];
  let currency = text(at(s, 'Acct', 'Ccy'));
  for (const [i, b] of ((at(s, 'Bal') as unknown[]) ?? []).entries()) {
    const code = text(at(b, 'Tp', 'CdOrPrtry', 'Cd'));
    const kind = code === 'OPBD' || code === 'PRCD' ? 'opening' : code === 'CLBD' ? 'closing' : null;
    if (!kind) continue;
    const ccy = (at(b, 'Amt') as Record<string, string> | undefined)?.['@Ccy'];
    currency ??= ccy;
    const amount = signed(b, currency ?? ccy ?? 'EUR', file, `Stmt ${n} Bal ${i + 1}`);
    balances.push({ kind, amountMinor: amount, date: camtDate(at(b, 'Dt'), file, `Stmt ${n} Bal ${i + 1}`) });
  }
  if (!currency) currency = h.firstCcy;
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw fileError(file, `Stmt ${n}: no account currency (Acct/Ccy or Amt/@Ccy)`);
  return { head: { accountId: iban ?? other, iban: badIban ? undefined : iban, currency, kind: 'checking' }, balances, currency };
}

/** One Ntry (the i-th of Stmt n) into a line; null for one that is no booking or in another currency. */
function entryLine(e: EntryReader, n: number, i: number, currency: string, refs: KeySet, file: string, warnings: string[]): FileLine | null {
  const where = `Stmt ${n} Ntry ${i + 1}`;
  const status = e.textOf(e.stsCd) ?? e.textOf(e.sts);
  if (status && status !== 'BOOK') return null;
  const ccy = e.ccyOf(e.amt);
  if (ccy && ccy !== currency) {
    warnings.push(`${where}: in ${ccy}, not the account's ${currency}; skipped`);
    return null;
  }
  const amountMinor = signedAmount(e.textOf(e.amt), e.textOf(e.cdtDbtInd), currency, file, where);
  const ref = e.textOf(e.acctSvcrRef) ?? e.textOf(e.ntryRef);
  if (ref && refs.count(ref) !== 0) throw fileError(file, `${where}: AcctSvcrRef ${ref} is used twice`, 'a file with duplicate references cannot be deduplicated safely');
  if (ref) refs.add(ref);
  const party = e.party[amountMinor < 0 ? 'Cdtr' : 'Dbtr'];
  const partyName = e.textOf(party.nm) ?? e.textOf(party.ptyNm);
  const remittance = e.listOf(e.ustrd).filter(Boolean).join(' ');
  const addtl = e.textOf(e.addtlNtryInf);
  return {
    id: ref,
    bookingDate: dateOf(e.textOf(e.bookgDtDt) ?? e.textOf(e.bookgDtDtTm), file, where),
    valueDate: e.given(e.valDt) ? dateOf(e.textOf(e.valDtDt) ?? e.textOf(e.valDtDtTm), file, where) : undefined,
    amountMinor,
    currency,
    payee: partyName ?? (remittance ? addtl : undefined),
    memo: remittance || addtl,
    type: typeOf(e.textOf(e.subFmlyCd), amountMinor),
    counterpartyIban: e.textOf(party.iban),
    where,
  };
}

function signed(node: unknown, currency: string, file: string, where: string): number {
  return signedAmount(text(at(node, 'Amt')), text(at(node, 'CdtDbtInd')), currency, file, where);
}

function signedAmount(raw: string | undefined, ind: string | undefined, currency: string, file: string, where: string): number {
  if (!raw) throw fileError(file, `${where}: no Amt`);
  if (ind !== 'CRDT' && ind !== 'DBIT') throw fileError(file, `${where}: CdtDbtInd must be CRDT or DBIT`);
  if (raw.trim().startsWith('-')) throw fileError(file, `${where}: Amt ${raw} is negative; camt amounts are unsigned (the sign is CdtDbtInd)`);
  let minor: number;
  try {
    minor = parseAmount(raw, currency);
  } catch {
    throw fileError(file, `${where}: Amt "${raw}" is not a decimal amount`);
  }
  return ind === 'DBIT' ? -minor : minor;
}

/** `<Dt>2024-01-31</Dt>` or `<DtTm>2024-01-31T10:00:00+01:00</DtTm>`: the calendar day as written. */
function camtDate(node: unknown, file: string, where: string): string {
  return dateOf(text(at(node, 'Dt')) ?? text(at(node, 'DtTm')), file, where);
}

function dateOf(raw: string | undefined, file: string, where: string): string {
  const date = raw?.slice(0, 10) ?? '';
  const d = new Date(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== date) {
    throw fileError(file, `${where}: no valid date (Dt or DtTm)`);
  }
  return date;
}

function typeOf(subFamily: string | undefined, amountMinor: number): TransactionType {
  switch (subFamily) {
    case 'CHRG':
    case 'COMM':
      return 'fee';
    case 'INTR':
      return 'interest';
    case 'POSD':
    case 'POSC':
      return 'pos';
    case 'CWDL':
      return 'atm';
    default:
      return amountMinor < 0 ? 'debit' : 'credit';
  }
}

export { ibanValid } from './iban.js';
