/**
 * Fault injection for tests and demos, from BANKSYNC_SANDBOX_FAULTS (comma-separated):
 *   kill-after-pages=N     SIGKILL this process when asked for page N+1 (crash mid-sync)
 *   fail-account=KEY       answer 503 for that sandbox account (e.g. nl-savings)
 *   latency-ms=N           wait N ms before each page
 *   disconnect=INST        the institution reports the connection as revoked (M8)
 */
export interface SandboxFaults {
  killAfterPages?: number;
  failAccounts: Set<string>;
  latencyMs: number;
  disconnected: Set<string>;
}

export function parseFaults(spec: string | undefined): SandboxFaults {
  const faults: SandboxFaults = { failAccounts: new Set(), latencyMs: 0, disconnected: new Set() };
  for (const part of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, value = ''] = part.split('=');
    if (name === 'kill-after-pages') faults.killAfterPages = Number(value);
    else if (name === 'fail-account') faults.failAccounts.add(value);
    else if (name === 'latency-ms') faults.latencyMs = Number(value);
    else if (name === 'disconnect') faults.disconnected.add(value);
  }
  return faults;
}

/** Pages served by this process, across accounts: the crash point of kill-after-pages. */
let pagesServed = 0;

export function beforePage(faults: SandboxFaults): void {
  if (faults.killAfterPages !== undefined && pagesServed >= faults.killAfterPages) {
    process.kill(process.pid, 'SIGKILL');
  }
  pagesServed++;
}
