import { describe, expect, it } from 'vitest';
import { planWindow } from '../../../src/core/sync/window.js';

describe('planWindow (M10)', () => {
  const base = { today: '2026-11-22', watermark: null, lockDate: null, historyDays: 90, overlapDays: 7 };
  it('first sync goes back as far as the provider allows', () => {
    expect(planWindow(base)).toEqual({ from: '2026-08-24', to: '2026-11-22', limitedBy: 'history' });
  });
  it('first sync without a stated limit uses two years', () => {
    expect(planWindow({ ...base, historyDays: undefined }).from).toBe('2024-11-22');
  });
  it('later syncs start at the watermark + 1 day minus the overlap', () => {
    expect(planWindow({ ...base, watermark: '2026-11-20' })).toEqual({ from: '2026-11-14', to: '2026-11-22', limitedBy: null });
  });
  it('never goes beyond the history limit, even after a long pause', () => {
    expect(planWindow({ ...base, watermark: '2025-01-01' })).toMatchObject({ from: '2026-08-24', limitedBy: 'history' });
  });
  it('never starts before the lock date', () => {
    expect(planWindow({ ...base, lockDate: '2026-10-01' })).toMatchObject({ from: '2026-10-01', limitedBy: 'lock' });
    expect(planWindow({ ...base, lockDate: '2027-01-01' })).toMatchObject({ from: '2026-11-22', to: '2026-11-22' });
  });
  it('overlap 0 starts the day after the watermark', () => {
    expect(planWindow({ ...base, watermark: '2026-11-20', overlapDays: 0 }).from).toBe('2026-11-21');
  });
});
