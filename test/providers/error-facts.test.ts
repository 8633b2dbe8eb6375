import { describe, expect, it } from 'vitest';
import { mapEnableBankingError } from '../../src/providers/enable-banking/errors.js';
import { mapGoCardlessError } from '../../src/providers/gocardless/errors.js';
import { withRenewHint } from '../../src/core/sync/outcomes.js';
import { BanksyncError, renewOptions } from '../../src/domain/errors.js';
import type { Connection } from '../../src/domain/model.js';

/** Callers decide on an error's status and reason, never on its text: these facts must survive mapping. */
describe('structured facts on mapped provider errors', () => {
  const failure = (status: number, body: unknown) => ({ status, body, headers: {} }) as Parameters<typeof mapGoCardlessError>[0];

  it('GoCardless: the HTTP status, and token-refused only for a refused access token', () => {
    const gone = mapGoCardlessError(failure(404, { summary: 'Het bestaat niet', detail: 'anders geformuleerd', status_code: 404 }));
    expect(gone).toMatchObject({ code: 'PROVIDER_ERROR', status: 404 });
    expect(mapGoCardlessError(failure(401, { summary: 'Invalid token', detail: 'Token is invalid or expired', status_code: 401 }))).toMatchObject({
      code: 'CREDENTIALS_INVALID',
      reason: 'token-refused',
    });
    expect(mapGoCardlessError(failure(401, { summary: 'Authentication failed', detail: 'No active account found with the given credentials', status_code: 401 })).reason).toBeUndefined();
  });

  it('Enable Banking: its own error code is the reason, whatever the message says', () => {
    const e = mapEnableBankingError(failure(404, { message: 'something else entirely', code: 404, error: 'SESSION_DOES_NOT_EXIST' }));
    expect(e).toMatchObject({ code: 'CONSENT_EXPIRED', status: 404, reason: 'SESSION_DOES_NOT_EXIST' });
  });

  it('the engine names the exact renew command only in place of a generic hint', () => {
    const c = { id: 7 } as Connection;
    expect(withRenewHint(new BanksyncError('CONSENT_EXPIRED', 'x', renewOptions('renew it: banksync update-credentials <connection>')), c).hint).toBe('renew it: banksync update-credentials c7');
    expect(withRenewHint(new BanksyncError('CONSENT_EXPIRED', 'x'), c).hint).toBe('renew it: banksync update-credentials c7');
    // A specific hint (even one that mentions update-credentials) is kept.
    const specific = 'restore the key they were sealed with; or banksync update-credentials <connection>';
    expect(withRenewHint(new BanksyncError('NOT_CONFIGURED', 'x', { hint: specific }), c).hint).toBe(specific);
  });
});
