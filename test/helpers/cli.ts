import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { afterEach } from 'vitest';

export const BIN = resolve(__dirname, '../../bin/banksync.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface SandboxOptions {
  /**
   * runAsync and jsonAsync run the CLI inside the test process (runInProcess) instead of
   * spawning the built binary: ~0.2 s of CPU less per run. For tests that read only the exit
   * code, stdout and stderr of runs without a terminal; see runInProcess for what still spawns.
   */
  inProcess?: boolean;
}

/** A throwaway home for one test: its own database, config dir and secret key. */
export class CliSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'banksync-e2e-'));
  readonly db = join(this.dir, 'banksync.db');
  readonly inProcess: boolean;

  constructor(o: SandboxOptions = {}) {
    this.inProcess = o.inProcess ?? false;
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: this.dir, BANKSYNC_DB: this.db, BANKSYNC_CONFIG_DIR: join(this.dir, 'config'), NO_COLOR: '1', ...extra };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    return env;
  }

  /** Runs the built binary without a TTY (as cron and scripts do). */
  run(args: string[], extra: NodeJS.ProcessEnv = {}): RunResult {
    const r = spawnSync(process.execPath, [BIN, ...args], { env: this.env(extra), encoding: 'utf8', timeout: 120_000, maxBuffer: 512 * 1024 * 1024 });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * Like run(), without blocking the test worker: prefer it wherever a test runs the CLI more
   * than a few times. spawnSync stops the worker's event loop for as long as the child runs,
   * and a long stretch of them on a loaded machine makes vitest's own RPC time out
   * ("Timeout calling onTaskUpdate"), which fails the whole run.
   */
  runAsync(args: string[], extra: NodeJS.ProcessEnv = {}, input?: string): Promise<RunResult> {
    return this.inProcess ? this.runInProcess(args, extra, input) : this.spawnAsync(args, extra, input);
  }

  /** The built binary in a child process, whatever the sandbox's options. */
  spawnAsync(args: string[], extra: NodeJS.ProcessEnv = {}, input?: string): Promise<RunResult> {
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: this.env(extra), timeout: 120_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', fail);
      child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
      child.stdin.on('error', () => {}); // a child that exits without reading its input
      child.stdin.end(input);
    });
  }

  /**
   * The CLI's runCli (src/cli/run.ts) in this process, given the env, argv and standard streams
   * a spawned run would get (stdin a pipe, stdout and stderr collected, no terminal): the same
   * exit code, stdout and stderr (test/e2e/in-process.test.ts compares them). Runs that would
   * not be the same here spawn instead: an env that Node reads from its own process differing
   * from this process's (TZ, TMPDIR, NODE_EXTRA_CA_CERTS, NODE_OPTIONS...), and the sandbox's kill
   * and hang faults (they stop the process). Not detected, so spawn them yourself (spawnAsync or
   * a sandbox without inProcess): a notify-command hook (it writes to file descriptor 2), files
   * named after the process id (an export's temp file), signals, terminals, two runs at once.
   */
  async runInProcess(args: string[], extra: NodeJS.ProcessEnv = {}, input?: string): Promise<RunResult> {
    const env = this.env(extra);
    if (!inProcessFaithful(env)) return this.spawnAsync(args, extra, input);
    const { runCli } = await import('../../src/cli/run.js');
    const stdout = new Collector();
    const stderr = new Collector();
    const stdin = Readable.from(input === undefined ? [] : [Buffer.from(input)], { objectMode: false });
    const code = await runCli({ argv: [process.execPath, BIN, ...args], env, stdin, stdout, stderr, signals: false });
    return { code, signal: null, stdout: stdout.text(), stderr: stderr.text() };
  }

  json<T = any>(args: string[], extra: NodeJS.ProcessEnv = {}): T {
    const r = this.run(['--json', ...args], extra);
    if (r.code !== 0) throw new Error(`banksync ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  /** Like json(), without blocking the test process (needed when a mock server runs in it). */
  async jsonAsync<T = any>(args: string[], extra: NodeJS.ProcessEnv = {}): Promise<T> {
    const r = await this.runAsync(['--json', ...args], extra);
    if (r.code !== 0) throw new Error(`banksync ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A run in this process differs from a spawned one (see runInProcess). BANKSYNC_TEST_SPAWN=1 in
 * the test's own environment spawns every run: to measure what the runner saves, or to see
 * whether a failure is the runner's.
 */
function inProcessFaithful(env: NodeJS.ProcessEnv): boolean {
  const faults = env.BANKSYNC_SANDBOX_FAULTS ?? '';
  // Read by Node from its own process's env: once at start-up (NODE_EXTRA_CA_CERTS, NODE_OPTIONS,
  // TZ's zone) or by os.tmpdir() (TMPDIR).
  const startup = Object.keys(env).filter((k) => k === 'TZ' || k === 'TMPDIR' || /^(NODE_|UV_|SSL_CERT_)/.test(k));
  return process.env.BANKSYNC_TEST_SPAWN !== '1' && startup.every((k) => env[k] === process.env[k]) && env.TZ === process.env.TZ && !/kill-after-pages|hang-after-pages/.test(faults);
}

/** A pipe's far end: what was written, decoded as a spawned child's output is (UTF-8, split sequences joined). */
class Collector extends Writable {
  private readonly decoder = new StringDecoder('utf8');
  private chunks: string[] = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    done();
  }

  text(): string {
    return this.chunks.join('') + this.decoder.end();
  }
}

/** `fresh()` gives each test its own CliSandbox; every one made is removed after the test. */
export function sandboxPerTest(o: SandboxOptions = {}): () => CliSandbox {
  const made: CliSandbox[] = [];
  afterEach(() => made.splice(0).forEach((c) => c.cleanup()));
  return () => {
    const c = new CliSandbox(o);
    made.push(c);
    return c;
  };
}

/** Every booked row, read without blocking the test process (for tests with in-process mock servers). */
export async function dumpTransactionsAsync(cli: CliSandbox, extra: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const { transactions } = await cli.jsonAsync<{ transactions: Record<string, unknown>[] }>(['transactions'], extra);
  return transactions.map((t) => JSON.stringify(t)).sort();
}

/** Every booked row, as the export would see it, for whole-database comparisons. */
export function dumpTransactions(cli: CliSandbox, extra: NodeJS.ProcessEnv = {}): string[] {
  const { transactions } = cli.json<{ transactions: Record<string, unknown>[] }>(['transactions'], extra);
  return transactions.map((t) => JSON.stringify(t)).sort();
}

/** `connect` of the sandbox bank with every account, without a prompt. */
export const CONNECT_SANDBOX = ['connect', '--provider', 'sandbox', '--institution', 'sandbox-bank', '--accounts', 'all', '--yes'];

/** The rows an uninterrupted connect + sync of the sandbox bank stores: what a run after a fault must equal. */
export function referenceSandboxRows(env: NodeJS.ProcessEnv): string[] {
  const cli = new CliSandbox();
  try {
    const connected = cli.run(CONNECT_SANDBOX, env);
    if (connected.code !== 0) throw new Error(`reference connect failed: ${connected.stderr}`);
    const synced = cli.run(['sync', '--all'], env);
    if (synced.code !== 0) throw new Error(`reference sync failed: ${synced.stderr}`);
    return dumpTransactions(cli, env);
  } finally {
    cli.cleanup();
  }
}
