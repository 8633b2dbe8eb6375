import type { Command } from 'commander';
import { join } from 'node:path';
import { clockFromEnv } from '../domain/clock.js';
import type { Services } from '../core/context.js';
import type { KeySource } from '../secrets/index.js';
import { Store, sqlitePort } from '../store/index.js';
import { Output } from './output.js';
import { configDir, defaultDbPath } from './paths.js';
import { openBrowser } from './browser.js';
import { createPrompts, humanPresent } from './prompts.js';
import { type CliIo, processIo } from './io.js';

/** Gives each command the Runtime built from the root's global flags. */
export type RuntimeOf = (cmd: Command) => Runtime;

/** Global flags every command shares (see program.ts). */
export interface GlobalFlags {
  db?: string;
  json?: boolean;
  quiet?: boolean;
  /** commander turns --no-input into input: false */
  input?: boolean;
  /** commander turns --no-pager into pager: false */
  pager?: boolean;
}

/** Built once in main from the global flags; commands get services from it, lazily. */
export class Runtime {
  readonly out: Output;
  readonly interactive: boolean;
  exitCode = 0;
  /** Where the secret key comes from; demo gives its temporary database a key of its own. */
  keySource: KeySource | undefined;
  private services_: Services | undefined;

  constructor(
    readonly flags: GlobalFlags,
    readonly env: NodeJS.ProcessEnv,
    readonly io: CliIo = processIo(env),
  ) {
    this.out = new Output({ json: !!flags.json, quiet: !!flags.quiet, stdout: io.stdout, stderr: io.stderr, env, pager: flags.pager !== false });
    this.interactive = humanPresent(env, flags.input === false, io);
  }

  get dbPath(): string {
    return this.flags.db ?? defaultDbPath(this.env);
  }

  get configDir(): string {
    return configDir(this.env);
  }

  /** Opens the database on first use, so --help and --version never touch it. */
  services(): Services {
    if (!this.services_) {
      const keySource = this.keySource ?? { envKey: this.env.BANKSYNC_SECRET_KEY, keyFile: join(this.configDir, 'secret.key') };
      const store = Store.open(this.dbPath, keySource, {
        createDirs: !this.flags.db && !this.env.BANKSYNC_DB,
      });
      this.services_ = { db: sqlitePort(store), store, clock: clockFromEnv(this.env), env: this.env, prompts: createPrompts(this.interactive, this.io.stderr), notify: this.out, openBrowser };
    }
    return this.services_;
  }

  close(): void {
    this.services_?.store.close();
  }

  /**
   * A signal stops the run between two awaits. Writes are synchronous transactions, so none is
   * half-done; an export's read transaction may be open and is ended. The locks go now, not at
   * lease end, and the database is closed (WAL checkpointed). Returns how many locks were held.
   */
  abandon(): number {
    const store = this.services_?.store;
    if (!store?.db.open) return 0;
    try {
      store.rollbackOpen();
      return store.locks.releaseAll();
    } finally {
      store.close();
    }
  }
}
