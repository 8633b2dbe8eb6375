import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { accountRef, type Transaction } from '../core/model.js';
import { formatMinor } from '../core/money.js';
import type { ExportContext, Exporter } from './types.js';

/** The layout ../validators/rules/banksync.csv.rules reads; hledger checks the running balance. */
export const CSV_COLUMNS = ['date', 'amount', 'currency', 'payee', 'memo', 'id', 'type', 'balance'] as const;

/** CSV fields stay on one line: `ledger convert` and many spreadsheets break on embedded newlines. */
const oneLine = (v: string | null) => (v ?? '').replace(/[\r\n]+/g, ' ');

export const csvExporter: Exporter = {
  format: 'csv',
  async write(rows: Iterable<Transaction>, out: Writable, ctx: ExportContext) {
    const columns = ctx.multiAccount ? ['account', ...CSV_COLUMNS] : [...CSV_COLUMNS];
    // RFC 4180: CRLF is the standard's line break, but every consumer we target reads LF; keep LF.
    const csv = stringify({ header: true, columns, record_delimiter: 'unix' });
    csv.pipe(out, { end: false });
    const done = new Promise<void>((resolve, reject) => {
      csv.on('end', resolve);
      csv.on('error', reject);
    });
    const running = new Map<number, number | null>();
    let count = 0;
    for (const t of rows) {
      let balance = running.has(t.accountId) ? running.get(t.accountId)! : ctx.openingBefore(t.accountId);
      balance = balance === null ? null : balance + t.amountMinor;
      running.set(t.accountId, balance);
      const record = [
        t.bookingDate,
        formatMinor(t.amountMinor, t.currency),
        t.currency,
        oneLine(t.payee),
        oneLine(t.memo),
        t.id,
        t.type,
        balance === null ? '' : formatMinor(balance, t.currency),
      ];
      if (ctx.multiAccount) record.unshift(accountRef(t.accountId));
      count++;
      if (!csv.write(record)) await once(csv, 'drain');
    }
    csv.end();
    await done;
    return { count };
  },
};
