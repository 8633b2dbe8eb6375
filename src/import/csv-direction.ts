/**
 * Sign columns: banks that write unsigned amounts put the direction in a column of its own
 * (ING "Af Bij" Af/Bij, German "Soll/Haben" S/H, camt-style CdtDbtInd DBIT/CRDT, D/C, DR/CR,
 * Debit/Credit, Dutch Debet/Credit, Italian Dare/Avere, Spanish Cargo/Abono).
 */
const DEBIT = ['af', 'd', 'db', 'dr', 'debit', 'debet', 'dbit', 's', 'soll', 'débit', 'dare', 'cargo', '-'];
const CREDIT = ['bij', 'c', 'cr', 'credit', 'crdt', 'h', 'haben', 'crédit', 'avere', 'abono', '+'];

/** Header names of a direction column, with everything but letters removed ("Af Bij" → afbij). */
const HEADER_NAMES = new Set([
  'afbij',
  'bijaf',
  'debitcredit',
  'creditdebit',
  'debetcredit',
  'creditdebet',
  'dc',
  'cd',
  'drcr',
  'crdr',
  'dbcr',
  'sh',
  'sollhaben',
  'habensoll',
  'cdtdbtind',
  'creditdebitindicator',
  'debitcreditindicator',
  'direction',
]);

export function isDirectionHeader(name: string): boolean {
  return HEADER_NAMES.has(name.toLowerCase().replace(/[^a-z]/g, ''));
}

export type Direction = 'debit' | 'credit';

/**
 * Reads a direction cell. With `debitValues` (the user's --debit-values) those values are debits
 * and every other value a credit: the user has named the split. Without, only the known markers
 * count; anything else is null (an error for the caller).
 */
export function readDirection(raw: string, debitValues?: readonly string[]): Direction | null {
  const v = raw.trim().toLowerCase();
  if (!v) return null;
  if (debitValues) return debitValues.includes(v) ? 'debit' : 'credit';
  return DEBIT.includes(v) ? 'debit' : CREDIT.includes(v) ? 'credit' : null;
}

/** "a, B" → ['a', 'b']: --debit-values compared case-insensitively. */
export function parseDebitValues(list: string | undefined): string[] | undefined {
  if (list === undefined) return undefined;
  const values = list
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
  return values.length ? values : undefined;
}

/**
 * True when every value is a direction marker (not "+"/"-", which also fill placeholder columns):
 * such a column carries the sign of an unsigned amount column even when nobody mapped it.
 */
export function looksLikeDirections(values: readonly string[]): boolean {
  return (
    values.length > 0 &&
    values.every((raw) => {
      const v = raw.trim().toLowerCase();
      return v !== '+' && v !== '-' && (DEBIT.includes(v) || CREDIT.includes(v));
    })
  );
}

export const KNOWN_MARKERS = `${DEBIT.filter((v) => v !== '-').join('/')} (debit), ${CREDIT.filter((v) => v !== '+').join('/')} (credit)`;
