import type { Services } from './context.js';
import { requireAccounts } from './accounts.js';
import { accountRef, type Statement } from '../domain/model.js';
import { buildStatements } from './statement-periods.js';

export interface StatementView extends Omit<Statement, 'accountId'> {
  account: string;
}

/** Statements (M11) of the given accounts, by each account's own period. */
export async function listStatements(s: Services, accountIds?: number[]): Promise<StatementView[]> {
  const accounts = accountIds ? await requireAccounts(s, accountIds) : s.store.accounts.list();
  const out: StatementView[] = [];
  for (const a of accounts) {
    const lines = s.store.transactions.iterate({ accountIds: [a.id] });
    for (const st of buildStatements(a.id, a.currency, a.statementPeriod, lines, a.openingBalanceMinor)) {
      const { accountId: _id, ...rest } = st;
      out.push({ account: accountRef(a.id), ...rest });
    }
  }
  return out;
}
