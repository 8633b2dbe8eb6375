import type { StorePort } from '../store/index.js';
import type { Clock } from '../domain/clock.js';

/** Questions core may ask a person. The CLI implements it; tests stub it. */
export interface Prompts {
  /** A person can answer (TTY, not CI, no --no-input). */
  readonly interactive: boolean;
  /** `flag` names the option that answers the question without a prompt. */
  /** `defaultAnswer` is what Enter alone means: false for anything that replaces or deletes data. */
  confirm(message: string, flag: string, options?: { defaultAnswer?: boolean }): Promise<boolean>;
  select<T>(message: string, choices: { name: string; value: T }[], flag: string): Promise<T>;
  checkbox<T>(message: string, choices: { name: string; value: T; checked?: boolean }[], flag: string): Promise<T[]>;
  input(message: string, flag: string, options?: { secret?: boolean; signal?: AbortSignal }): Promise<string>;
}

/** Progress and warnings for a person; goes to stderr, never to stdout. */
export interface Notifier {
  info(message: string): void;
  warn(message: string): void;
  /** Lines the user needs to go on (a consent address): shown even under --json and --quiet. */
  always(message: string): void;
  /** Starts a spinner or progress line (TTY only); returns a function that stops it. */
  progress(message: string): { update(message: string): void; stop(): void };
}

/** What every use case gets: no argv, no process.exit, no direct terminal access. */
export interface Services {
  /** The persistence port: every use case reads and writes through it (units of work, promises). */
  db: StorePort;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  prompts: Prompts;
  notify: Notifier;
  /** Opens a page in the user's browser; false when none could be started. */
  openBrowser(url: string): Promise<boolean>;
}

export const nowIso = (s: Services) => s.clock().toISOString();
