import type { Services } from './context.js';
import { requireAccount } from './accounts.js';
import { accountRef } from './model.js';
import type { InputIssueKind } from '../store/input-issues.js';

export const WARNING_KINDS: readonly InputIssueKind[] = ['quarantined', 'id-conflict', 'fuzzy-merge', 'field-dropped', 'provider-warning'];

export interface WarningRow {
  account: string;
  accountName: string;
  kind: InputIssueKind;
  severity: 'warning' | 'info';
  source: string;
  message: string;
  /** The line as received (quarantined), or the pair (conflicts, merges). */
  detail: unknown;
  firstSeenAt: string;
  lastSeenAt: string;
  times: number;
}

/** What came in and was not taken as is: quarantined lines, reused ids, fuzzy merges, provider warnings. */
export function listWarnings(s: Services, q: { accountId?: number; kind?: InputIssueKind }): WarningRow[] {
  if (q.accountId !== undefined) requireAccount(s, q.accountId);
  const names = new Map(s.store.accounts.list().map((a) => [a.id, a.name]));
  return s.store.inputIssues.list(q).map((i) => ({
    account: accountRef(i.accountId),
    accountName: names.get(i.accountId) ?? '',
    kind: i.kind,
    severity: i.severity,
    source: i.source,
    message: i.message,
    detail: i.detail,
    firstSeenAt: i.firstSeenAt,
    lastSeenAt: i.lastSeenAt,
    times: i.times,
  }));
}
