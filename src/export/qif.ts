import { formatMinor } from '../core/money.js';
import { oneLine } from './text.js';
import type { ExportFormat } from './types.js';

/**
 * QIF: one account per file (a second `!Type:` header would merge accounts in Quicken), one field
 * per line, `^` after every record, no blank lines. QIF has no ids and cannot tell a removal:
 * removals are skipped and reported.
 */
export const qifFormat: ExportFormat = {
  name: 'qif',
  description: 'QIF !Type:Bank / !Type:CCard, MM/DD/YYYY (--qif-dates uk for DD/MM/YYYY)',
  singleAccount: true,
  create(settings) {
    // Four-digit years always: a two-digit year is where QIF readers guess the wrong century.
    const date = (d: string) => (settings.qifDates === 'uk' ? `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}` : `${d.slice(5, 7)}/${d.slice(8, 10)}/${d.slice(0, 4)}`);
    return {
      begin: () => '',
      beginAccount: (s) => (s.account.kind === 'credit_card' ? '!Type:CCard\n' : '!Type:Bank\n'),
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
