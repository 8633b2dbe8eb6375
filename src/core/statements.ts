import type { Services } from './context.js';
import { requireAccounts } from './accounts.js';
import { accountRef, type Statement } from '../domain/model.js';
import { StatementBuilder } from './statement-periods.js';

export interface StatementView extends Omit<Statement, 'accountId'> {
  account: string;
}

/** Statements (M11) of the given accounts, by each account's own period. */
export async function listStatements(s: Services, accountIds?: number[]): Promise<StatementView[]> {
  const accounts = accountIds ? await requireAccounts(s, accountIds) : await s.db.accounts.list();
  const out: StatementView[] = [];
  // One consistent read: a sync committing meanwhile does not land half-way through an account.
  await s.db.snapshot(async () => {
    for (const a of accounts) {
      const statements = new StatementBuilder(a.id, a.currency, a.statementPeriod, a.openingBalanceMinor);
      for await (const page of s.db.transactions.iterate({ accountIds: [a.id] })) for (const t of page) statements.add(t);
      for (const { accountId: _id, ...rest } of statements.finish()) out.push({ account: accountRef(a.id), ...rest });
    }
  });
  return out;
}
