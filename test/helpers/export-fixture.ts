import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Services } from '../../src/core/context.js';
import { exportTransactions, type ExportOptions, type ExportResult } from '../../src/core/export.js';
import type { AccountKind, TransactionType } from '../../src/domain/model.js';
import { stableTransactionId } from '../../src/core/dedupe.js';
import { Store } from '../../src/store/index.js';
import { testServices } from './services.js';

export const FIXTURE_NOW = '2026-03-05T08:30:00.000Z';

interface Line {
  ext: string;
  date: string;
  amount: number;
  payee: string | null;
  memo?: string | null;
  type?: TransactionType;
  valueDate?: string;
}

/**
 * A small database holding the cases exporters get wrong: non-ASCII and markup characters in
 * text, a payee longer than OFX's NAME, zero and negative amounts, a credit card, JPY (no
 * decimals), a long French IBAN, two identical lines and statement periods across months.
 */
export function exportFixture(now = FIXTURE_NOW) {
  const dir = mkdtempSync(join(tmpdir(), 'banksync-export-'));
  const store = Store.open(join(dir, 'b.db'), { keyFile: join(dir, 'key') });
  const conn = store.connections.create({ providerId: 'sandbox', institutionId: 'banque-etoile', institutionName: 'Banque Étoile & Fils', now });
  const account = (name: string, kind: AccountKind, currency: string, iban: string, opening: number) => {
    const id = store.accounts.create({ connectionId: conn, providerId: 'sandbox', institutionId: 'banque-etoile', externalId: name, name, iban, currency, kind, stableIds: true, now });
    store.accounts.setBalanceCheck(id, opening, 0);
    return id;
  };
  const checking = account('Compte Chèque', 'checking', 'EUR', 'FR1420041010050500013M02606', 125_000);
  const card = account('Carte Visa', 'credit_card', 'EUR', 'FR7630006000011234567890189', -20_000);
  const yen = account('Futsū', 'checking', 'JPY', 'JP00SBOX1234567', 500_000);
  const add = (accountId: number, currency: string, lines: Line[]) =>
    store.tx(() => {
      for (const l of lines) {
        store.transactions.write(
          {
            id: stableTransactionId(accountId, `ext:${l.ext}`),
            accountId,
            externalId: l.ext,
            fingerprint: l.ext,
            ordinal: 0,
            bookingDate: l.date,
            valueDate: l.valueDate ?? null,
            amountMinor: l.amount,
            currency,
            payee: l.payee,
            memo: l.memo ?? null,
            type: l.type ?? (l.amount < 0 ? 'debit' : 'credit'),
            counterpartyIban: null,
            source: 'sandbox',
          },
          now,
        );
      }
    });
  add(checking, 'EUR', [
    { ext: 'c1', date: '2026-01-30', amount: 320_000, payee: 'ACME Payroll', memo: 'Salary January', type: 'credit', valueDate: '2026-01-31' },
    { ext: 'c2', date: '2026-01-31', amount: -1_299, payee: 'Café Müller & Söhne', memo: 'Card <contactless>', type: 'pos' },
    { ext: 'c3', date: '2026-02-01', amount: 0, payee: 'Bank', memo: 'Card replacement fee waived', type: 'fee' },
    { ext: 'c4', date: '2026-02-02', amount: -125_000, payee: 'Société Immobilière du Centre-Ville de Paris', memo: 'Loyer février; ref "2026/02"', type: 'transfer' },
    { ext: 'c5', date: '2026-02-02', amount: -380, payee: 'Coffee Corner', memo: 'Espresso', type: 'pos' },
    { ext: 'c6', date: '2026-02-02', amount: -380, payee: 'Coffee Corner', memo: 'Espresso', type: 'pos' },
    { ext: 'c7', date: '2026-02-28', amount: 1_234, payee: null, memo: 'Intérêts', type: 'interest' },
    { ext: 'c8', date: '2026-03-02', amount: -5_000, payee: '=HYPERLINK("http://x")', memo: 'ATM\nwithdrawal', type: 'atm' },
  ]);
  add(card, 'EUR', [
    { ext: 'v1', date: '2026-02-03', amount: -4_599, payee: 'Librairie <Le Coin> & Cie', memo: 'Books', type: 'pos' },
    { ext: 'v2', date: '2026-02-15', amount: 20_000, payee: 'Payment received', memo: 'Thank you', type: 'payment' },
    { ext: 'v3', date: '2026-02-20', amount: -1_500, payee: 'Annual fee', type: 'fee' },
  ]);
  add(yen, 'JPY', [
    { ext: 'y1', date: '2026-02-10', amount: -1_280, payee: 'ローソン', memo: 'おにぎり', type: 'pos' },
    { ext: 'y2', date: '2026-02-25', amount: 250_000, payee: 'Kyūryō', memo: 'Salary', type: 'credit' },
    { ext: 'y3', date: '2026-03-01', amount: -0, payee: 'Sushi Kō', memo: 'Voucher', type: 'pos' },
  ]);
  const services = testServices(store, { now });
  return { store, services, dir, checking, card, yen };
}

/** Runs an export to a string. */
export async function exportToString(services: Services, o: ExportOptions): Promise<{ text: string; result: ExportResult }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const result = await exportTransactions(services, o, out);
  out.end();
  return { text: Buffer.concat(chunks).toString('utf8'), result };
}
