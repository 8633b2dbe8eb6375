import { csvFormat } from './csv.js';
import { journalFormat } from './journal.js';
import { ofxFormat } from './ofx.js';
import { qifFormat } from './qif.js';
import type { ExportFormat } from './types.js';

export const EXPORT_FORMATS: Readonly<Record<string, ExportFormat>> = {
  csv: csvFormat,
  ofx: ofxFormat(),
  qif: qifFormat,
  ledger: journalFormat('ledger'),
  hledger: journalFormat('hledger'),
  beancount: journalFormat('beancount'),
};
