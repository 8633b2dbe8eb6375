import type { Services } from './context.js';
import { requireAccount } from './accounts.js';
import { accountRef } from '../domain/model.js';
import type { InputIssue, InputIssueKind } from '../store/sqlite/input-issues.js';

/** A stored finding as shown to the user: the account by its reference and name instead of its row id. */
export type WarningRow = Omit<InputIssue, 'accountId' | 'key'> & { account: string; accountName: string };

/** What came in and was not taken as is: quarantined lines, reused ids, fuzzy merges, provider warnings. */
export async function listWarnings(s: Services, q: { accountId?: number; kind?: InputIssueKind }): Promise<WarningRow[]> {
  if (q.accountId !== undefined) await requireAccount(s, q.accountId);
  const names = new Map((await s.db.accounts.list()).map((a) => [a.id, a.name]));
  return (await s.db.inputIssues.list(q)).map(({ accountId, key: _key, ...rest }) => ({ account: accountRef(accountId), accountName: names.get(accountId) ?? '', ...rest }));
}
