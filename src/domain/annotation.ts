/** One side of a transfer between two of the user's accounts, as exports and reports see it. */
export interface TransferLeg {
  /** Stable id of the pair, the same on both legs (CSV transfer_id, journal tag). */
  transferId: string;
  otherLineId: string;
  otherAccountId: number;
  /** 'out': money leaves this account (amount < 0); 'in': it arrives. */
  direction: 'out' | 'in';
  /** How the pair was found: 'iban', 'pattern', 'manual'. */
  how: string;
}

/**
 * What banksync adds to a bank line when it exports or reports it: the category and clean payee a
 * rule gives, and the other leg when the line is one side of a transfer between the user's own
 * accounts. Computed at export time, never stored over what the bank sent, so changing a rule
 * changes the next export.
 */
export interface LineAnnotation {
  /** Ledger account name the line posts to; null: the expense/income default. */
  category: string | null;
  /** Payee as a rule rewrites it; null: the bank's text. */
  cleanPayee: string | null;
  tags: readonly string[];
  /** 1-based position of the rule that matched, for `rules test` and explain; null: none. */
  rule: number | null;
  transfer: TransferLeg | null;
}
