import type { Command } from 'commander';
import { join } from 'node:path';
import { clockFromEnv } from '../domain/clock.js';
import type { Services } from '../core/context.js';
import type { KeySource } from '../secrets/index.js';
import { registerSecret } from '../secrets/index.js';
import { openSqliteStore } from '../store/index.js';
import { isPostgresUrl, openPostgresStore, printableUrl } from '../store/postgres/index.js';
import { sqliteOf } from '../store/sqlite/file.js';
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
  /**
   * Set by a command that ends its work itself on SIGTERM or Ctrl-C (the worker finishes its
   * round): returns true when it took the signal, and the run is not abandoned; a second signal is.
   */
  finishBeforeStopping?: (signal: NodeJS.Signals) => boolean;
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

  /** The SQLite file, or a postgres:// URL (see `onPostgres`); print `dbLabel`, never this. */
  get dbPath(): string {
    return this.flags.db ?? defaultDbPath(this.env);
  }

  /** `--db postgres://…` (or BANKSYNC_DB): the store is a PostgreSQL database. */
  get onPostgres(): boolean {
    return isPostgresUrl(this.dbPath);
  }

  /** The database as messages name it: the file, or the URL without its password. */
  get dbLabel(): string {
    return this.onPostgres ? printableUrl(this.dbPath) : this.dbPath;
  }

  get configDir(): string {
    return configDir(this.env);
  }

  /** Opens the database on first use, so --help and --version never touch it. */
  services(): Services {
    if (!this.services_) {
      // A password in the URL is a secret: never printed, whatever message quotes the URL.
      if (this.onPostgres) registerSecret(passwordOf(this.dbPath));
      const keySource = this.keySource ?? { envKey: this.env.BANKSYNC_SECRET_KEY, keyFile: join(this.configDir, 'secret.key') };
      const db = this.onPostgres
        ? openPostgresStore(this.dbPath, keySource)
        : openSqliteStore(this.dbPath, keySource, {
            createDirs: !this.flags.db && !this.env.BANKSYNC_DB,
          });
      this.services_ = { db, clock: clockFromEnv(this.env), env: this.env, prompts: createPrompts(this.interactive, this.io.stderr), notify: this.out, openBrowser };
    }
    return this.services_;
  }

  async close(): Promise<void> {
    await this.services_?.db.close();
  }

  /**
   * A signal stops the run between two awaits, maybe inside a unit of work: it is rolled back, so
   * nothing half-done is kept. The locks go now, not at lease end, and the database is closed (WAL
   * checkpointed). Returns how many locks were held.
   *
   * Synchronous, on the SQLite file under the port (sqliteOf): the process dies right after, and
   * no await may let the interrupted command run on between the rollback and the end. The port's
   * own calls would wait for the unit the signal interrupted, which never ends.
   */
  abandon(): number {
    const db = this.services_?.db;
    if (!db) return 0;
    // PostgreSQL: closing the open units' connections makes the server roll them back; this
    // process's sync locks end with their lease, which nobody renews any more.
    if (db.kind !== 'sqlite') {
      db.rollbackOpen();
      return 0;
    }
    const store = sqliteOf(db);
    if (!store.db.open) return 0;
    try {
      db.rollbackOpen();
      return store.locks.releaseAll();
    } finally {
      store.close();
    }
  }
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
