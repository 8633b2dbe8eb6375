import type { Account, TransactionType } from '../domain/model.js';
import { formatMinor } from '../domain/money.js';
import { oneLine, toAscii, truncate } from './text.js';
import type { AccountSection, ExportFormat, ExportRow, ExportSettings, FormatWriter } from './types.js';

/**
 * OFX bank and credit-card statements. 1.0.2 SGML by default: the only variant every consumer
 * tested reads correctly with non-ASCII text (../shared/formats.md §1). Leaf elements carry no
 * end tag in SGML (Quicken rejects them); 2.x XML closes every element and is kept ASCII-only,
 * because ofxparse (and so ledger-autosync) crashes on non-ASCII OFX 2 bodies.
 */

const HEADER_V1 = ['OFXHEADER:100', 'DATA:OFXSGML', 'VERSION:102', 'SECURITY:NONE', 'ENCODING:UTF-8', 'CHARSET:NONE', 'COMPRESSION:NONE', 'OLDFILEUID:NONE', 'NEWFILEUID:NONE', '', ''].join('\n');
const HEADER_V2 = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<?OFX OFXHEADER="200" VERSION="211" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n';

/** Stable across exports, so ledger-autosync's FID.ACCTID.FITID ids never change. */
const FID = 'banksync';

const TRNTYPE: Record<TransactionType, string> = {
  debit: 'DEBIT',
  credit: 'CREDIT',
  fee: 'FEE',
  interest: 'INT',
  transfer: 'XFER',
  payment: 'PAYMENT',
  atm: 'ATM',
  pos: 'POS',
  check: 'CHECK',
  other: 'OTHER',
};

/** Length of the bank code that follows the check digits, for IBANs whose BANKID we can name. */
const IBAN_BANK_CODE: Record<string, number> = { AT: 5, BE: 3, CH: 5, DE: 8, DK: 4, ES: 4, FI: 3, FR: 5, GB: 4, IE: 4, LU: 3, NL: 4, NO: 4, PL: 8, PT: 4, SE: 3 };

/** BANKID and ACCTID: the IBAN when it fits, else its national part (FR and IT IBANs are 27). */
export function ofxAccountIds(a: Account): { bankId: string; acctId: string } {
  const iban = a.iban?.replace(/\s+/g, '').toUpperCase() ?? null;
  const cc = iban?.slice(0, 2) ?? '';
  const codeLen = IBAN_BANK_CODE[cc];
  const bankId =
    iban && codeLen
      ? iban.slice(4, 4 + codeLen)
      : a.institutionId
          .replace(/[^A-Za-z0-9]/g, '')
          .toUpperCase()
          .slice(0, 9) || 'UNKNOWN';
  const raw = iban ?? a.number ?? a.externalId ?? `banksync-a${a.id}`;
  let acctId = raw;
  if (acctId.length > 22 && iban) acctId = iban.slice(4);
  if (acctId.length > 22) acctId = acctId.slice(-22);
  return { bankId: bankId.slice(0, 9), acctId };
}

const isCard = (a: Account) => a.kind === 'credit_card';

/** A booking date carries no time: local noon keeps its calendar day in every consumer (formats.md §5). */
const ofxDate = (date: string) => `${date.replace(/-/g, '')}120000.000[0:UTC]`;
const ofxInstant = (iso: string) => `${iso.slice(0, 19).replace(/[-:T]/g, '')}.000[0:UTC]`;

/** Types that name a direction follow the amount's sign: a card payment received is a CREDIT. */
function trntype(r: ExportRow): string {
  if (r.type === 'debit' || r.type === 'credit' || (r.type === 'payment' && r.amountMinor > 0)) return r.amountMinor < 0 ? 'DEBIT' : 'CREDIT';
  return TRNTYPE[r.type] ?? 'OTHER';
}

export const fitidOf = (id: string, revision: number | null) => (revision ? `${id}.r${revision}` : id);

const escapeSgml = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function ofxFormat(): ExportFormat {
  return {
    name: 'ofx',
    description: 'OFX 1.0.2 SGML bank and card statements (--ofx-version 2 for XML)',
    orderSections: (sections) => [...sections.filter((s) => !isCard(s.account)), ...sections.filter((s) => isCard(s.account))],
    create: (settings) => ofxWriter(settings),
  };
}

function ofxWriter(settings: ExportSettings): FormatWriter {
  const v = settings.ofxVersion;
  // Text is cut to its limit after cleaning and before escaping: limits count characters, not entities.
  const clean = (text: string | null) => (v === 2 ? toAscii(oneLine(text)) : oneLine(text));
  const esc = (text: string) => escapeSgml(clean(text));
  // SGML leaves have no end tag; XML closes every element.
  const leaf = (tag: string, value: string) => (v === 1 ? `<${tag}>${value}\n` : `<${tag}>${value}</${tag}>\n`);
  const status = '<STATUS>\n' + leaf('CODE', '0') + leaf('SEVERITY', 'INFO') + '</STATUS>\n';
  let msgSet: 'BANK' | 'CREDITCARD' | null = null;
  let trnuid = 0;
  // The open statement: by-statement exports start one per period.
  let open: { period: string; end: string } | null = null;
  let lastBalance: number | null = null;

  const openStatement = (s: AccountSection, start: string, end: string, period = start) => {
    const card = isCard(s.account);
    const { bankId, acctId } = ofxAccountIds(s.account);
    const from = card
      ? '<CCACCTFROM>\n' + leaf('ACCTID', esc(acctId)) + '</CCACCTFROM>\n'
      : '<BANKACCTFROM>\n' +
        leaf('BANKID', esc(bankId)) +
        leaf('ACCTID', esc(acctId)) +
        leaf('ACCTTYPE', s.account.kind === 'savings' ? 'SAVINGS' : s.account.kind === 'loan' ? 'CREDITLINE' : 'CHECKING') +
        '</BANKACCTFROM>\n';
    open = { period, end };
    const rs = card ? 'CCSTMT' : 'STMT';
    return (
      `<${rs}TRNRS>\n` +
      leaf('TRNUID', String(++trnuid)) +
      status +
      `<${rs}RS>\n` +
      leaf('CURDEF', s.account.currency) +
      from +
      '<BANKTRANLIST>\n' +
      leaf('DTSTART', ofxDate(start)) +
      leaf('DTEND', ofxDate(end))
    );
  };

  const closeStatement = (s: AccountSection, balance: number | null, asOf: string) => {
    if (!open) return '';
    open = null;
    const rs = isCard(s.account) ? 'CCSTMT' : 'STMT';
    return '</BANKTRANLIST>\n<LEDGERBAL>\n' + leaf('BALAMT', formatMinor(balance ?? 0, s.account.currency)) + leaf('DTASOF', ofxDate(asOf)) + `</LEDGERBAL>\n</${rs}RS>\n</${rs}TRNRS>\n`;
  };

  return {
    begin(sections) {
      const institutions = new Set(sections.map((s) => s.institutionName));
      const org = institutions.size === 1 ? [...institutions][0]! : 'banksync';
      return (
        (v === 1 ? HEADER_V1 : HEADER_V2) +
        '<OFX>\n<SIGNONMSGSRSV1>\n<SONRS>\n' +
        status +
        leaf('DTSERVER', ofxInstant(settings.now)) +
        leaf('LANGUAGE', 'ENG') +
        '<FI>\n' +
        leaf('ORG', escapeSgml(truncate(clean(org), 32))) +
        leaf('FID', FID) +
        '</FI>\n</SONRS>\n</SIGNONMSGSRSV1>\n'
      );
    },
    beginAccount(s) {
      let out = '';
      const set = isCard(s.account) ? 'CREDITCARD' : 'BANK';
      if (set !== msgSet) {
        if (msgSet) out += `</${msgSet}MSGSRSV1>\n`;
        out += `<${set}MSGSRSV1>\n`;
        msgSet = set;
      }
      lastBalance = s.opening;
      // One statement per account covering the export's range; by-statement opens per period.
      if (!settings.byStatement) out += openStatement(s, s.start, s.end);
      return out;
    },
    row(r, s) {
      let out = '';
      if (settings.byStatement && open?.period !== r.periodStart) {
        out += closeStatement(s, lastBalance, open?.end ?? r.periodStart);
        // A statement covers its period, cut to what the export covers (no DTEND in the future).
        const start = r.periodStart > s.start ? r.periodStart : s.start;
        const end = r.periodEnd < s.end ? r.periodEnd : s.end;
        out += openStatement(s, start, end, r.periodStart);
      }
      lastBalance = r.balanceAfter;
      return out + stmttrn(r);
    },
    endAccount(s) {
      if (settings.byStatement) return closeStatement(s, lastBalance, open?.end ?? s.end);
      return closeStatement(s, s.closing, s.end);
    },
    end() {
      return (msgSet ? `</${msgSet}MSGSRSV1>\n` : '') + '</OFX>\n';
    },
  };

  function stmttrn(r: ExportRow): string {
    // A line without a payee is named by its memo: importers show NAME as the payee.
    const payee = clean(r.payee) || clean(r.memo);
    const memo = clean(r.payee) ? clean(r.memo) : '';
    const name = truncate(payee, 32);
    // NAME is A-32: when the payee is cut, MEMO keeps it whole.
    const fullMemo = name !== payee ? [payee, memo].filter(Boolean).join(' / ') : memo;
    let out = '<STMTTRN>\n' + leaf('TRNTYPE', trntype(r)) + leaf('DTPOSTED', ofxDate(r.bookingDate));
    if (r.valueDate) out += leaf('DTAVAIL', ofxDate(r.valueDate));
    out += leaf('TRNAMT', formatMinor(r.amountMinor, r.currency));
    if (r.change === 'new') {
      out += leaf('FITID', r.id);
    } else {
      // A correction is a new line with its own FITID naming the one it replaces or deletes.
      out += leaf('FITID', fitidOf(r.id, r.revision)) + leaf('CORRECTFITID', fitidOf(r.id, r.replacesRevision)) + leaf('CORRECTACTION', r.change === 'removed' ? 'DELETE' : 'REPLACE');
    }
    if (name) out += leaf('NAME', escapeSgml(name));
    if (fullMemo) out += leaf('MEMO', escapeSgml(truncate(fullMemo, 255)));
    return out + '</STMTTRN>\n';
  }
}
