import type { ExportOptions } from '../../src/core/export.js';
import type { exportFixture } from '../helpers/export-fixture.js';

/**
 * Exact expected output for every format on the tricky fixture. A change in any byte fails here;
 * run with UPDATE_GOLDEN=1 after an intended change and review the diff. The same files are fed
 * to the third-party parsers in validators.test.ts.
 */
export const GOLDEN_CASES: [string, (f: ReturnType<typeof exportFixture>) => ExportOptions, number][] = [
  ['checking.csv', (f) => ({ format: 'csv', accountIds: [f.checking] }), 8],
  ['card.csv', (f) => ({ format: 'csv', accountIds: [f.card] }), 3],
  ['yen.csv', (f) => ({ format: 'csv', accountIds: [f.yen] }), 3],
  ['all.csv', () => ({ format: 'csv' }), 14],
  ['checking-excel.csv', (f) => ({ format: 'csv', accountIds: [f.checking], decimalComma: true, columns: ['date', 'value_date', 'amount', 'payee', 'account_iban', 'statement'] }), 8],
  ['checking.ofx', (f) => ({ format: 'ofx', accountIds: [f.checking] }), 8],
  ['card.ofx', (f) => ({ format: 'ofx', accountIds: [f.card] }), 3],
  ['yen.ofx', (f) => ({ format: 'ofx', accountIds: [f.yen] }), 3],
  ['checking-v2.ofx', (f) => ({ format: 'ofx', ofxVersion: 2, accountIds: [f.checking] }), 8],
  ['card-v2.ofx', (f) => ({ format: 'ofx', ofxVersion: 2, accountIds: [f.card] }), 3],
  ['checking-by-statement.ofx', (f) => ({ format: 'ofx', byStatement: true, accountIds: [f.checking] }), 8],
  ['all.ofx', () => ({ format: 'ofx' }), 14],
  ['checking.qif', (f) => ({ format: 'qif', accountIds: [f.checking] }), 8],
  ['card.qif', (f) => ({ format: 'qif', accountIds: [f.card], qifDates: 'uk' }), 3],
  ['yen.qif', (f) => ({ format: 'qif', accountIds: [f.yen] }), 3],
  ['all.qif', () => ({ format: 'qif' }), 14],
  ['all.ledger', () => ({ format: 'ledger' }), 14],
  ['all.hledger', () => ({ format: 'hledger' }), 14],
  ['all.beancount', () => ({ format: 'beancount' }), 14],
];
