import type { TransactionPage } from '../types.js';

/**
 * Fault injection for tests and demos, from BANKSYNC_SANDBOX_FAULTS (comma-separated):
 *   kill-after-pages=N     SIGKILL this process when asked for page N+1 (crash mid-sync)
 *   hang-after-pages=N     when asked for page N+1, say so on stderr and never answer (a test
 *                          then stops the run with a signal at a known point)
 *   fail-account=KEY       answer 503 for that sandbox account (e.g. nl-savings)
 *   latency-ms=N           wait N ms before each page
 *   disconnect=INST        the institution reports the connection as revoked (M8)
 *   odd-lines=KEY          that sandbox account's answer also carries odd but possible lines:
 *                          one dated 9999-12-31, one dated 2026-02-30, one without a date, one in
 *                          another currency, and two different lines under one provider id
 */
export interface SandboxFaults {
  killAfterPages?: number;
  hangAfterPages?: number;
  failAccounts: Set<string>;
  latencyMs: number;
  disconnected: Set<string>;
  oddLines: Set<string>;
}

export function parseFaults(spec: string | undefined): SandboxFaults {
  const faults: SandboxFaults = { failAccounts: new Set(), latencyMs: 0, disconnected: new Set(), oddLines: new Set() };
  for (const part of (spec ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, value = ''] = part.split('=');
    if (name === 'kill-after-pages') faults.killAfterPages = Number(value);
    else if (name === 'hang-after-pages') faults.hangAfterPages = Number(value);
    else if (name === 'fail-account') faults.failAccounts.add(value);
    else if (name === 'latency-ms') faults.latencyMs = Number(value);
    else if (name === 'disconnect') faults.disconnected.add(value);
    else if (name === 'odd-lines') faults.oddLines.add(value);
  }
  return faults;
}

/** Pages served by this process, across accounts: the crash point of kill-after-pages. */
let pagesServed = 0;

export async function beforePage(faults: SandboxFaults): Promise<void> {
  if (faults.killAfterPages !== undefined && pagesServed >= faults.killAfterPages) {
    process.kill(process.pid, 'SIGKILL');
  }
  if (faults.hangAfterPages !== undefined && pagesServed >= faults.hangAfterPages) {
    process.stderr.write(`sandbox: holding page ${pagesServed + 1} (hang-after-pages)\n`);
    // A timer, not a bare promise: the process stays alive until a signal stops it.
    await new Promise(() => setInterval(() => undefined, 60_000));
  }
  pagesServed++;
}

/** What a provider may really send (a typo'd year, an impossible day, a reused id): the boundary must catch each. */
export function oddPage(currency: string, day: string): Pick<TransactionPage, 'booked' | 'rejected'> {
  const other = currency === 'USD' ? 'EUR' : 'USD';
  // The first of the month: the same lines on every sync of the month, as a real bank re-sends them.
  day = `${day.slice(0, 8)}01`;
  return {
    booked: [
      { externalId: 'odd-future', bookingDate: '9999-12-31', amountMinor: -1_000, currency, payee: 'Typo Year Ltd' },
      { externalId: 'odd-impossible', bookingDate: '2026-02-30', amountMinor: -2_000, currency, payee: 'Leap Day Cafe' },
      { externalId: 'odd-currency', bookingDate: day, amountMinor: -3_000, currency: other, payee: 'Foreign Shop' },
      { externalId: 'odd-twice', bookingDate: day, amountMinor: -4_000, currency, payee: 'Twin One' },
      { externalId: 'odd-twice', bookingDate: day, amountMinor: -4_500, currency, payee: 'Twin Two' },
    ],
    rejected: [{ externalId: 'odd-undated', reason: 'sandbox sent a booked line without a date', amount: '-50.00', currency }],
  };
}
