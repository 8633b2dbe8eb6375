// A process that syncs one account from a changes feed (the built dist), for kill -9 tests:
// node cursor-feed-child.mjs DB_PATH KEY_PATH [HANG_AFTER_PAGE]
// The feed: 30 pages of a tenth of the sync's write batch each; page i's nextCursor is "c<i+1>". With HANG_AFTER_PAGE set, it
// prints "page N" after yielding page N and then hangs, so the test can kill it there.
import { resolve } from 'node:path';
const dist = resolve(import.meta.dirname, '../../dist');
const { Store, sqlitePort } = await import(`${dist}/store/index.js`);
const { fetchAccount, WRITE_BATCH_LINES } = await import(`${dist}/core/sync/account-sync.js`);
const [db, key, hangArg] = process.argv.slice(2);
const hangAfter = hangArg === undefined ? -1 : Number(hangArg);
const PAGES = 30;
// Ten pages fill one write batch: a kill after page 14 finds pages 0-9 committed, whatever the batch size.
const PAGE_LINES = WRITE_BATCH_LINES / 10;
const store = Store.open(db, { keyFile: key });
const account = store.accounts.list()[0];
const line = (n) => ({
  externalId: `t${n}`,
  bookingDate: `2026-${String(1 + (n % 10)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`,
  amountMinor: -(n % 997) - 1,
  currency: 'EUR',
  payee: `Shop ${n % 300}`,
});
const provider = {
  id: 'feed',
  displayName: 'Feed',
  capabilities: { feed: 'cursor' },
  async *fetchTransactions(_session, req) {
    process.stdout.write(`from ${req.cursor ?? '-'}\n`);
    for (let i = req.cursor ? Number(req.cursor.slice(1)) : 0; i < PAGES; i++) {
      const booked = Array.from({ length: PAGE_LINES }, (_, k) => line(i * PAGE_LINES + k));
      yield { booked, pendingMode: 'delta', nextCursor: `c${i + 1}` };
      if (i === hangAfter) {
        process.stdout.write(`page ${i}\n`);
        await new Promise(() => setInterval(() => {}, 1 << 30));
      }
    }
  },
};
await fetchAccount({ db: sqlitePort(store), provider, session: { data: {}, save() {} }, account, window: { from: '2026-01-01', to: '2026-11-22', limitedBy: null }, now: '2026-11-22T07:00:00.000Z' });
process.stdout.write('done\n');
store.close();
