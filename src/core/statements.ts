import type { Services } from './context.js';
import { requireAccount } from './accounts.js';
import { accountRef, type Statement } from '../domain/model.js';
import { buildStatements } from './statement-periods.js';

export interface StatementView extends Omit<Statement, 'accountId'> {
  account: string;
}

/** Statements (M11) of the given accounts, by each account's own period. */
export function listStatements(s: Services, accountIds?: number[]): StatementView[] {
  const accounts = accountIds ? accountIds.map((id) => requireAccount(s, id)) : s.store.accounts.list();
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
