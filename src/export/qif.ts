import { formatMinor } from '../domain/money.js';
import { accountRef } from '../domain/model.js';
import { oneLine } from './text.js';
import type { AccountSection, ExportFormat } from './types.js';

/**
 * QIF: one field per line, `^` after every record, no blank lines. QIF has no ids and cannot tell
 * a removal: removals are skipped and reported.
 *
 * One account: a bare `!Type:Bank` (or CCard) file, what every QIF reader takes. Several: the
 * form Quicken writes and GnuCash reads, where a bare second `!Type:` header would merge the
 * accounts: `!Option:AutoSwitch`, an `!Account` list of every account, `!Clear:AutoSwitch`, then
 * per account an `!Account` record naming it followed by its `!Type:` block.
 */
export const qifFormat: ExportFormat = {
  name: 'qif',
  description: 'QIF !Type:Bank / !Type:CCard, MM/DD/YYYY (--qif-dates uk for DD/MM/YYYY); several accounts as !Account blocks',
  readsSummary: false,
  create(settings) {
    // Four-digit years always: a two-digit year is where QIF readers guess the wrong century.
    const date = (d: string) => (settings.qifDates === 'uk' ? `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}` : `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(0, 4)}`);
    let names = new Map<number, string>();
    return {
      begin(sections) {
        if (sections.length < 2) return '';
        names = qifNames(sections);
        const list = sections.map((s) => `N${names.get(s.account.id)}\nT${qifType(s)}\nD${description(s)}\n^\n`).join('');
        return `!Option:AutoSwitch\n!Account\n${list}!Clear:AutoSwitch\n`;
      },
      beginAccount(s) {
        const header = `!Type:${qifType(s)}\n`;
        return names.size ? `!Account\nN${names.get(s.account.id)}\nT${qifType(s)}\n^\n${header}` : header;
      },
      row(r) {
        if (r.change === 'removed') return null;
        let out = `D${date(r.bookingDate)}\nT${formatMinor(r.amountMinor, r.currency)}\n`;
        const payee = oneLine(r.payee);
        const memo = oneLine(r.memo);
        if (payee) out += `P${payee}\n`;
        if (memo) out += `M${memo}\n`;
        return `${out}^\n`;
      },
      endAccount: () => '',
      end: () => '',
    };
  },
};

const qifType = (s: AccountSection) => (s.account.kind === 'credit_card' ? 'CCard' : 'Bank');

const description = (s: AccountSection) => oneLine([s.institutionName, s.account.iban ?? s.account.number ?? '', s.account.currency].filter(Boolean).join(' '));

/**
 * Quicken and GnuCash match accounts by name: two sections named alike would be read as one, so
 * every one sharing a name gets its id added ("Checking (a3)"). A name is one line and never
 * empty; "^" alone would end the record.
 */
function qifNames(sections: readonly AccountSection[]): Map<number, string> {
  const base = (s: AccountSection) => oneLine(s.account.name) || accountRef(s.account.id);
  const seen = new Map<string, number>();
  for (const s of sections) seen.set(base(s).toLowerCase(), (seen.get(base(s).toLowerCase()) ?? 0) + 1);
  return new Map(sections.map((s) => [s.account.id, seen.get(base(s).toLowerCase())! > 1 ? `${base(s)} (${accountRef(s.account.id)})` : base(s)]));
}
