import type { AccountKind } from '../domain/model.js';

/**
 * ISO 20022 ExternalCashAccountType1Code → our account kinds. Berlin Group APIs pass it through
 * as `cashAccountType` (GoCardless, Enable Banking), so it lives beside the adapters, in none of them.
 */
export function kindOfCashAccountType(cashAccountType: string | undefined): AccountKind {
  switch (cashAccountType) {
    case 'CACC':
    case 'CASH':
    case 'TRAN':
      return 'checking';
    case 'SVGS':
      return 'savings';
    case 'CARD':
      return 'credit_card';
    case 'LOAN':
      return 'loan';
    default:
      return cashAccountType ? 'other' : 'checking';
  }
}
