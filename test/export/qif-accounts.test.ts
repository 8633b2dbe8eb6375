import { describe, expect, it } from 'vitest';
import type { Account } from '../../src/domain/model.js';
import { qifFormat } from '../../src/export/qif.js';
import type { AccountSection, ExportSettings } from '../../src/export/types.js';

const section = (id: number, name: string, kind: Account['kind'] = 'checking', iban: string | null = null): AccountSection => ({
  account: { id, name, kind, iban, number: null, currency: 'EUR' } as Account,
  institutionName: 'Bank',
  ledgerName: '',
  opening: 0,
  closing: 0,
  count: 0,
  firstDate: null,
  lastDate: null,
  start: '2026-01-01',
  end: '2026-01-01',
  writeOpening: true,
});

const write = (sections: AccountSection[]) => {
  const w = qifFormat.create({ qifDates: 'us' } as ExportSettings);
  return w.begin(sections) + sections.map((s) => w.beginAccount(s) + w.endAccount(s)).join('') + w.end();
};

describe('QIF account blocks', () => {
  it('one account: only its !Type header, no account list', () => {
    expect(write([section(1, 'Checking')])).toBe('!Type:Bank\n');
    expect(write([section(3, 'Card', 'credit_card')])).toBe('!Type:CCard\n');
  });

  it('several accounts sharing a name (any case) are told apart by id, so an importer keeps them apart', () => {
    const text = write([section(1, 'Checking', 'checking', 'NL66SBOX0417164300'), section(4, 'checking'), section(5, 'Card', 'credit_card')]);
    expect(text).toBe(
      [
        '!Option:AutoSwitch',
        '!Account',
        'NChecking (a1)',
        'TBank',
        'DBank NL66SBOX0417164300 EUR',
        '^',
        'Nchecking (a4)',
        'TBank',
        'DBank EUR',
        '^',
        'NCard',
        'TCCard',
        'DBank EUR',
        '^',
        '!Clear:AutoSwitch',
        '!Account',
        'NChecking (a1)',
        'TBank',
        '^',
        '!Type:Bank',
        '!Account',
        'Nchecking (a4)',
        'TBank',
        '^',
        '!Type:Bank',
        '!Account',
        'NCard',
        'TCCard',
        '^',
        '!Type:CCard',
        '',
      ].join('\n'),
    );
  });

  it('a name that is empty or holds line breaks stays one line', () => {
    expect(write([section(1, ''), section(2, 'Joint\naccount')])).toContain('!Account\nNa1\nTBank\n^\n!Type:Bank\n!Account\nNJoint account\nTBank\n^\n');
  });
});
