/** One finding of `banksync doctor`: what was looked at, how it stands, and what to do. */
export interface Check {
  /** Stable id: 'database', 'schema', 'consent:c2', 'reach:gocardless'… */
  id: string;
  status: 'ok' | 'warn' | 'fail';
  /** One line saying what was found. */
  message: string;
  /** One line saying what to do (a command when there is one); null when nothing is to be done. */
  hint: string | null;
}

export interface DoctorReport {
  checks: Check[];
  /** Every check ok. */
  ok: boolean;
  /** The database cannot be used (missing pieces aside): corrupt, unreadable, from a newer banksync. */
  databaseUnusable: boolean;
}

/**
 * How instants and counts read in messages. The CLI passes local time with the zone for a person
 * and ISO UTC under --json; core never formats for a terminal itself.
 */
export interface DoctorFormat {
  time(iso: string): string;
  plural(n: number, one: string, many?: string): string;
}

export const ok = (id: string, message: string): Check => ({ id, status: 'ok', message, hint: null });
export const warn = (id: string, message: string, hint: string | null): Check => ({ id, status: 'warn', message, hint });
export const fail = (id: string, message: string, hint: string | null): Check => ({ id, status: 'fail', message, hint });
