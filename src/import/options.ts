/** Names the import command lists in --help, without loading the parsers (start-up stays light). */
export const CSV_PROFILE_NAMES = ['banksync', 'signed', 'signed-comma', 'debit-credit', 'debit-credit-comma'] as const;
export const DATE_FORMAT_NAMES = ['YYYY-MM-DD', 'DD.MM.YYYY', 'DD/MM/YYYY', 'DD-MM-YYYY', 'MM/DD/YYYY', 'MM.DD.YYYY', 'MM-DD-YYYY', 'YYYYMMDD', 'uk', 'us', 'iso'] as const;
export const FORMAT_NAMES = ['ofx', 'csv', 'camt', 'qif'] as const;
