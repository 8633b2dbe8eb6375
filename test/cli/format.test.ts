import { afterEach, describe, expect, it } from 'vitest';
import { localTime, plural } from '../../src/cli/format.js';

const AMS = { timeZone: 'Europe/Amsterdam' };

describe('localTime: one format for every instant shown to a person', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('the day clocks go forward in Amsterdam: 01:59 CET, then 03:00 CEST', () => {
    expect(localTime('2026-03-29T00:59:00Z', AMS)).toBe('2026-03-29 01:59 CET');
    expect(localTime('2026-03-29T01:00:00Z', AMS)).toBe('2026-03-29 03:00 CEST');
  });

  it('the day clocks go back: 02:59 CEST, then 02:00 CET (the zone tells the two 02:xx apart)', () => {
    expect(localTime('2026-10-25T00:59:00Z', AMS)).toBe('2026-10-25 02:59 CEST');
    expect(localTime('2026-10-25T01:00:00Z', AMS)).toBe('2026-10-25 02:00 CET');
  });

  it('midnight is 00:00 of the next local day, never 24:00 of the one before', () => {
    expect(localTime('2026-12-01T23:00:00Z', AMS)).toBe('2026-12-02 00:00 CET');
    expect(localTime('2026-12-31T23:00:00.000Z', AMS)).toBe('2027-01-01 00:00 CET');
    expect(localTime('2026-12-01T00:00:00Z', { timeZone: 'UTC' })).toBe('2026-12-01 00:00 UTC');
  });

  it('UTC is called UTC (not GMT), under either of its names; London in winter stays GMT', () => {
    expect(localTime('2026-07-01T12:34:56Z', { timeZone: 'UTC' })).toBe('2026-07-01 12:34 UTC');
    expect(localTime('2026-07-01T12:34:56Z', { timeZone: 'Etc/UTC' })).toBe('2026-07-01 12:34 UTC');
    expect(localTime('2026-12-01T12:00:00Z', { timeZone: 'Europe/London' })).toBe('2026-12-01 12:00 GMT');
    expect(localTime('2026-07-01T12:00:00Z', { timeZone: 'Europe/London' })).toBe('2026-07-01 13:00 BST');
  });

  it('American zones keep their names', () => {
    expect(localTime('2026-12-01T00:00:00Z', { timeZone: 'America/New_York' })).toBe('2026-11-30 19:00 EST');
    expect(localTime('2026-07-01T00:00:00Z', { timeZone: 'America/Los_Angeles' })).toBe('2026-06-30 17:00 PDT');
  });

  it('a zone without a short name shows its offset, half and quarter hours included', () => {
    expect(localTime('2026-12-01T00:00:00Z', { timeZone: 'Asia/Tokyo' })).toBe('2026-12-01 09:00 GMT+9');
    expect(localTime('2026-12-01T00:00:00Z', { timeZone: 'Asia/Kathmandu' })).toBe('2026-12-01 05:45 GMT+5:45');
    expect(localTime('2026-12-01T00:00:00Z', { timeZone: 'America/Sao_Paulo' })).toBe('2026-11-30 21:00 GMT-3');
  });

  it("follows the process's zone (TZ) when none is given", () => {
    process.env.TZ = 'Europe/Amsterdam';
    expect(localTime('2026-12-01T06:00:00Z')).toBe('2026-12-01 07:00 CET');
    process.env.TZ = 'UTC';
    expect(localTime('2026-12-01T06:00:00Z')).toBe('2026-12-01 06:00 UTC');
  });

  it('a process in UTC prints what the named zone UTC prints, without building a formatter', () => {
    for (const tz of ['UTC', 'Etc/UTC']) {
      process.env.TZ = tz;
      for (const iso of ['2026-12-01T06:00:00Z', '2026-03-29T01:00:07.123Z', '2026-12-31T23:59:59Z', '1999-01-01T00:00:00Z']) {
        expect(localTime(iso)).toBe(localTime(iso, { timeZone: 'UTC' }));
        expect(localTime(iso, { seconds: true })).toBe(localTime(iso, { timeZone: 'UTC', seconds: true }));
      }
    }
    process.env.TZ = 'Europe/London';
    expect(localTime('2026-12-01T12:00:00Z')).toBe('2026-12-01 12:00 GMT');
  });

  it('seconds on request; nothing becomes "-"; what is not a time is shown as it is', () => {
    expect(localTime('2026-03-29T01:00:07Z', { ...AMS, seconds: true })).toBe('2026-03-29 03:00:07 CEST');
    expect(localTime(null)).toBe('-');
    expect(localTime(undefined)).toBe('-');
    expect(localTime('')).toBe('-');
    expect(localTime('not a time')).toBe('not a time');
  });
});

describe('plural', () => {
  it('one is singular; zero and many are plural; irregular forms are given', () => {
    expect(plural(1, 'account')).toBe('1 account');
    expect(plural(0, 'account')).toBe('0 accounts');
    expect(plural(2, 'account')).toBe('2 accounts');
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(12, 'entry', 'entries')).toBe('12 entries');
  });
});
