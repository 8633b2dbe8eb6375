import { wholeFile, type StatementSink, type StreamParser } from './stream.js';
import type { TransactionType } from '../core/model.js';
import { parseAmount } from './amounts.js';
import { fileError } from './errors.js';
import type { FileBalance, FileLine, FileStatement, ParsedFile } from './types.js';
import { ibanValid } from './iban.js';
import { at, parseXml, text } from './xml.js';

/**
 * ISO 20022 camt.053 (BkToCstmrStmt), versions .001.02 to .001.08, with or without namespace
 * prefixes. Amounts are unsigned; CdtDbtInd gives the sign. Only booked entries are imported
 * (PDNG and INFO entries are not bookings). Opening + entries = closing is checked.
 */
export function parseCamt(textIn: string, file: string): ParsedFile {
  const warnings: string[] = [];
  const doc = parseXml(textIn, file, ['Stmt', 'Ntry', 'Bal', 'TxDtls', 'Ustrd']);
  const bk = at(doc, 'Document', 'BkToCstmrStmt');
  if (!bk) throw fileError(file, 'is XML but not a camt.053 statement (no Document/BkToCstmrStmt)');
  const stmts = (at(bk, 'Stmt') as unknown[] | undefined) ?? [];
  if (stmts.length === 0) throw fileError(file, 'holds no Stmt');
  const statements = stmts.map((s, i) => statement(s, file, i + 1, warnings));
  return { format: 'camt', statements, warnings };
}

function statement(s: unknown, file: string, n: number, warnings: string[]): FileStatement {
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
  const entries = (at(s, 'Ntry') as unknown[]) ?? [];
  if (!currency) currency = (at(entries[0], 'Amt') as Record<string, string> | undefined)?.['@Ccy'];
  if (!currency || !/^[A-Z]{3}$/.test(currency)) throw fileError(file, `Stmt ${n}: no account currency (Acct/Ccy or Amt/@Ccy)`);
  const lines: FileLine[] = [];
  const refs = new Set<string>();
  entries.forEach((e, i) => {
    const where = `Stmt ${n} Ntry ${i + 1}`;
    const status = text(at(e, 'Sts', 'Cd')) ?? text(at(e, 'Sts'));
    if (status && status !== 'BOOK') return;
    const ccy = (at(e, 'Amt') as Record<string, string> | undefined)?.['@Ccy'];
    if (ccy && ccy !== currency) {
      warnings.push(`${where}: in ${ccy}, not the account's ${currency}; skipped`);
      return;
    }
    const amountMinor = signed(e, currency!, file, where);
    const ref = text(at(e, 'AcctSvcrRef')) ?? text(at(e, 'NtryRef'));
    if (ref && refs.has(ref)) throw fileError(file, `${where}: AcctSvcrRef ${ref} is used twice`, 'a file with duplicate references cannot be deduplicated safely');
    if (ref) refs.add(ref);
    const tx = (at(e, 'NtryDtls', 'TxDtls') as unknown[] | undefined)?.[0];
    const party = amountMinor < 0 ? at(tx, 'RltdPties', 'Cdtr') : at(tx, 'RltdPties', 'Dbtr');
    const partyName = text(at(party, 'Nm')) ?? text(at(party, 'Pty', 'Nm'));
    const partyAcct = amountMinor < 0 ? at(tx, 'RltdPties', 'CdtrAcct', 'Id', 'IBAN') : at(tx, 'RltdPties', 'DbtrAcct', 'Id', 'IBAN');
    const remittance = ((at(tx, 'RmtInf', 'Ustrd') as unknown[] | undefined) ?? []).map(text).filter(Boolean).join(' ');
    const addtl = text(at(e, 'AddtlNtryInf'));
    lines.push({
      id: ref,
      bookingDate: camtDate(at(e, 'BookgDt'), file, where),
      valueDate: at(e, 'ValDt') ? camtDate(at(e, 'ValDt'), file, where) : undefined,
      amountMinor,
      currency: currency!,
      payee: partyName ?? (remittance ? addtl : undefined),
      memo: remittance || addtl,
      type: typeOf(text(at(e, 'BkTxCd', 'Domn', 'Fmly', 'SubFmlyCd')), amountMinor),
      counterpartyIban: text(partyAcct),
      where,
    });
  });
  const opening = balances.find((b) => b.kind === 'opening');
  const closing = balances.find((b) => b.kind === 'closing');
  if (opening && closing) {
    const sum = lines.reduce((t, l) => t + l.amountMinor, 0);
    if (opening.amountMinor + sum !== closing.amountMinor) {
      warnings.push(`Stmt ${n}: opening balance + entries = ${opening.amountMinor + sum} minor units, but the closing balance says ${closing.amountMinor}: an entry is missing or wrong in the file`);
    }
  }
  return { accountId: iban ?? other, iban: badIban ? undefined : iban, currency, kind: 'checking', lines, balances };
}

function signed(node: unknown, currency: string, file: string, where: string): number {
  const raw = text(at(node, 'Amt'));
  const ind = text(at(node, 'CdtDbtInd'));
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
  const raw = text(at(node, 'Dt')) ?? text(at(node, 'DtTm'));
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

export const camtParser = (file: string, sink: StatementSink): StreamParser => wholeFile('camt', (t) => parseCamt(t, file), sink);
