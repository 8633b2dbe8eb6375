import { describe, expect, it } from 'vitest';
import { camtParser } from '../../src/import/camt.js';
import { collector, parseWhole, type StatementSink, type StreamParser } from '../../src/import/stream.js';
import { rng } from '../helpers/rng.js';
import { camtParser as treeParser } from './reference/camt-tree.js';

/** What a reader makes of a file: its statements and warnings, or the message it refuses it with. */
function outcome(make: (file: string, sink: StatementSink) => StreamParser, xml: string): unknown {
  const sink = collector();
  try {
    const parser = make('odd.xml', sink);
    parseWhole(parser, xml);
    return { statements: sink.statements, warnings: parser.warnings() };
  } catch (e) {
    return { refused: (e as Error).message };
  }
}

const doc = (entries: string) =>
  `<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>1</Id>` +
  `<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>\n${entries}\n</Stmt></BkToCstmrStmt></Document>`;

/** Pieces of an Ntry, the ordinary and the odd: repeated names, attributes, empty elements, prefixes, CDATA, blank text. */
const PIECES = [
  '<Amt Ccy="EUR">12.30</Amt>',
  '<Amt>1.00</Amt>',
  '<Amt Ccy="USD">5.00</Amt>',
  '<Amt x:Ccy="EUR" xmlns:x="u">7.10</Amt>',
  '<Amt xmlns="u">3.00</Amt>',
  '<Amt Ccy="EUR"> 4.00 <Sub/></Amt>',
  '<Amt/>',
  '<CdtDbtInd>DBIT</CdtDbtInd>',
  '<CdtDbtInd>CRDT</CdtDbtInd>',
  '<CdtDbtInd> CRDT </CdtDbtInd>',
  '<Sts>BOOK</Sts>',
  '<Sts><Cd>BOOK</Cd></Sts>',
  '<Sts><Cd>PDNG</Cd></Sts>',
  '<Sts>INFO</Sts>',
  '<Sts/>',
  '<Sts a="1">BOOK</Sts>',
  '<BookgDt><Dt>2024-01-31</Dt></BookgDt>',
  '<BookgDt><DtTm>2024-02-01T10:00:00+01:00</DtTm></BookgDt>',
  '<BookgDt><Dt>2024-01-31</Dt><Dt>2024-02-02</Dt></BookgDt>',
  '<BookgDt><Dt/><DtTm>2024-03-01T00:00:00</DtTm></BookgDt>',
  '<ValDt><Dt>2024-01-30</Dt></ValDt>',
  '<ValDt/>',
  '<ValDt> </ValDt>',
  '<ValDt><DtTm>2024-01-29T23:00:00</DtTm></ValDt>',
  '<NtryRef>R1</NtryRef>',
  '<NtryRef>R2</NtryRef>',
  '<NtryRef/>',
  '<AcctSvcrRef>S1</AcctSvcrRef>',
  '<AcctSvcrRef></AcctSvcrRef>',
  '<AcctSvcrRef k="v">S2</AcctSvcrRef>',
  '<AddtlNtryInf>Card 1234</AddtlNtryInf>',
  '<AddtlNtryInf><![CDATA[Fee & <more>]]></AddtlNtryInf>',
  '<AddtlNtryInf>  </AddtlNtryInf>',
  '<BkTxCd><Domn><Fmly><SubFmlyCd>CHRG</SubFmlyCd></Fmly></Domn></BkTxCd>',
  '<BkTxCd><Domn><Fmly><SubFmlyCd>POSD</SubFmlyCd><SubFmlyCd>CWDL</SubFmlyCd></Fmly></Domn></BkTxCd>',
  '<BkTxCd/>',
  '<NtryDtls><TxDtls><RltdPties><Cdtr><Nm>Shop</Nm></Cdtr><CdtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></CdtrAcct></RltdPties><RmtInf><Ustrd>Order 1</Ustrd><Ustrd/><Ustrd>part 2</Ustrd></RmtInf></TxDtls></NtryDtls>',
  '<NtryDtls><TxDtls><RltdPties><Dbtr><Pty><Nm>Payer</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>DE44500105175407324931</IBAN></Id></DbtrAcct></RltdPties></TxDtls><TxDtls><RltdPties><Dbtr><Nm>Second</Nm></Dbtr></RltdPties><RmtInf><Ustrd>not read</Ustrd></RmtInf></TxDtls></NtryDtls>',
  '<NtryDtls><TxDtls><RmtInf><Ustrd a="1">with attribute</Ustrd><Ustrd>  spaced  </Ustrd></RmtInf><RmtInf><Ustrd>second RmtInf</Ustrd></RmtInf></TxDtls></NtryDtls>',
  '<NtryDtls><TxDtls><RltdPties><Cdtr><Nm>A</Nm><Nm>B</Nm></Cdtr><Dbtr><Nm>Both</Nm></Dbtr></RltdPties></TxDtls></NtryDtls>',
  '<NtryDtls/>',
  '<NtryDtls><TxDtls/></NtryDtls>',
  '<NtryDtls>text<TxDtls><RmtInf><Ustrd>x</Ustrd></RmtInf></TxDtls></NtryDtls>',
  '<s:NtryDtls xmlns:s="u"><s:TxDtls><s:RmtInf><s:Ustrd>prefixed</s:Ustrd></s:RmtInf></s:TxDtls></s:NtryDtls>',
  '<Other><Amt>99.00</Amt><Sts>PDNG</Sts></Other>',
  '\n  ',
  ' loose text ',
];

/** A booked entry that reads, then odd pieces before or after its parts. */
function entry(r: () => number): string {
  const base = ['<Amt Ccy="EUR">10.00</Amt>', '<CdtDbtInd>DBIT</CdtDbtInd>', '<Sts>BOOK</Sts>', '<BookgDt><Dt>2024-01-31</Dt></BookgDt>'];
  const parts = base.filter(() => r() < 0.9);
  for (let k = Math.floor(r() * 4); k > 0; k--) parts.splice(Math.floor(r() * (parts.length + 1)), 0, PIECES[Math.floor(r() * PIECES.length)]!);
  return `<Ntry>${parts.join(r() < 0.3 ? '\n' : '')}</Ntry>`;
}

describe('camt entries read from the reader events as the per-entry tree read them', () => {
  it.each(PIECES)('an entry holding %j', (piece) => {
    const xml = doc(`<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-01-31</Dt></BookgDt>${piece}</Ntry>`);
    expect(outcome(camtParser, xml)).toEqual(outcome(treeParser, xml));
  });

  it('3,000 files of random odd entries: the same lines, warnings and refusals', () => {
    const r = rng('camt-entry');
    let read = 0;
    for (let i = 0; i < 3000; i++) {
      const xml = doc(Array.from({ length: 1 + Math.floor(r() * 3) }, () => entry(r)).join(r() < 0.5 ? '\n' : ''));
      const ours = outcome(camtParser, xml);
      expect(ours, xml).toEqual(outcome(treeParser, xml));
      if ('statements' in (ours as object)) read++;
    }
    // Most files read (the rest are refusals worded alike): the comparison covers lines, not only messages.
    expect(read).toBeGreaterThan(600);
  });
});
