/**
 * What the PostgreSQL repositories need of a connection: statements with `$1` parameters. The
 * driver is behind this (driver.ts), so a repository never names it.
 */
export interface PgSession {
  /** The rows of one statement, each column by name; bigints and numerics as numbers. */
  rows<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** How many rows one INSERT, UPDATE or DELETE touched. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

/** A connection of the pool kept for one unit of work, returned when the unit ends. */
export interface ReservedSession extends PgSession {
  release(): void;
  /** Closes the connection at once (a Ctrl-C): the server rolls back its open transaction. */
  destroy(): void;
}

/** The pool: its own statements run each on any free connection, outside any transaction. */
export interface PgPool extends PgSession {
  reserve(): Promise<ReservedSession>;
  end(): Promise<void>;
}
