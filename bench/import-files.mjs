// Generated statement files for the import benches and the import memory test: n lines, 100 a day
// from 1990-01-01 (bench/lib.mjs transactions()), written in chunks so a million lines need no memory.
import { openSync, writeSync, closeSync } from 'node:fs';
import { transactions } from './lib.mjs';

const chunked = (path, head, line, tail, n) => {
  const fd = openSync(path, 'w');
  writeSync(fd, head);
  let buf = '';
  let i = 0;
  for (const t of transactions(n)) {
    buf += line(t, i++);
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = '';
    }
  }
  writeSync(fd, buf + tail);
  closeSync(fd);
};

const money = (m) => `${m < 0 ? '-' : ''}${Math.floor(Math.abs(m) / 100)}.${String(Math.abs(m) % 100).padStart(2, '0')}`;

/** A CSV as a bank writes it: date, amount, payee, memo, id. */
export function writeCsv(path, n) {
  chunked(path, 'date,amount,currency,payee,memo,id\n', (t) => `${t.bookingDate},${money(t.amountMinor)},EUR,${t.payee},${t.memo},${t.externalId}\n`, '', n);
}

/** An OFX 1.x (SGML) bank statement. */
export function writeOfx(path, n) {
  const head = `OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\nSECURITY:NONE\nENCODING:UTF-8\nCHARSET:NONE\nCOMPRESSION:NONE\nOLDFILEUID:NONE\nNEWFILEUID:NONE\n\n<OFX>\n<SIGNONMSGSRSV1>\n<SONRS>\n<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n<DTSERVER>20261120120000\n<LANGUAGE>ENG\n</SONRS>\n</SIGNONMSGSRSV1>\n<BANKMSGSRSV1>\n<STMTTRNRS>\n<TRNUID>1\n<STATUS>\n<CODE>0\n<SEVERITY>INFO\n</STATUS>\n<STMTRS>\n<CURDEF>EUR\n<BANKACCTFROM>\n<BANKID>011000015\n<ACCTID>4419002211\n<ACCTTYPE>CHECKING\n</BANKACCTFROM>\n<BANKTRANLIST>\n<DTSTART>19900101\n<DTEND>20261120\n`;
  const line = (t) =>
    `<STMTTRN>\n<TRNTYPE>POS\n<DTPOSTED>${t.bookingDate.replaceAll('-', '')}\n<TRNAMT>${money(t.amountMinor)}\n<FITID>${t.externalId}\n<NAME>${t.payee}\n<MEMO>${t.memo}\n</STMTTRN>\n`;
  chunked(path, head, line, '</BANKTRANLIST>\n</STMTRS>\n</STMTTRNRS>\n</BANKMSGSRSV1>\n</OFX>\n', n);
}

/** A camt.053 statement (one Stmt, booked entries with a counterparty and remittance text). */
export function writeCamt(path, n) {
  const head = `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">\n<BkToCstmrStmt>\n<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-11-20T12:00:00</CreDtTm></GrpHdr>\n<Stmt>\n<Id>1</Id>\n<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>\n`;
  const esc = (v) => v.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
  const line = (t) => {
    const debit = t.amountMinor < 0;
    const party = debit ? `<Cdtr><Nm>${esc(t.payee)}</Nm></Cdtr>` : `<Dbtr><Nm>${esc(t.payee)}</Nm></Dbtr>`;
    return `<Ntry><NtryRef>${t.externalId}</NtryRef><Amt Ccy="EUR">${money(Math.abs(t.amountMinor))}</Amt><CdtDbtInd>${debit ? 'DBIT' : 'CRDT'}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>${t.bookingDate}</Dt></BookgDt><ValDt><Dt>${t.bookingDate}</Dt></ValDt><BkTxCd/><NtryDtls><TxDtls><RltdPties>${party}</RltdPties><RmtInf><Ustrd>${esc(t.memo)}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n`;
  };
  chunked(path, head, line, '</Stmt>\n</BkToCstmrStmt>\n</Document>\n', n);
}

if (process.argv[1]?.endsWith('import-files.mjs')) {
  const [format, n, path] = process.argv.slice(2);
  ({ csv: writeCsv, ofx: writeOfx, camt: writeCamt })[format](path, Number(n));
}
