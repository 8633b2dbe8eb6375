import { exitCodeOf } from './exit-codes.js';
import { Chalk, type ChalkInstance } from 'chalk';
import type { Notifier } from '../core/context.js';
import type { BanksyncError } from '../domain/errors.js';
import type { OutStream } from './io.js';
import { redact } from '../secrets/index.js';
import { page, pagerCommand } from './pager.js';
import { safeJson, safeLines, safeText, safeView } from './safe-text.js';

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  /** Long results may go through the pager (see pager.ts); false under --no-pager. */
  pager?: boolean;
}

export interface ResultOptions {
  /** Long output a person reads: through $PAGER when stdout is a terminal (never under --json or in a pipe). */
  page?: boolean;
}

/**
 * The one place that writes to the terminal. Data goes to stdout (one JSON document under
 * --json); progress, warnings and errors go to stderr. Colour only on a TTY without NO_COLOR;
 * spinners only on a TTY, never under --json or --quiet. Nothing from a bank or a file reaches
 * the terminal raw (see safe-text.ts): human renderers get a view of the result whose strings
 * are neutralised, and every line written is guarded again; JSON keeps the original values.
 */
export class Output implements Notifier {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly c: ChalkInstance;
  private readonly errC: ChalkInstance;
  private readonly spinners: boolean;

  constructor(private readonly o: OutputOptions) {
    this.json = o.json;
    this.quiet = o.quiet;
    const noColor = o.env.NO_COLOR !== undefined && o.env.NO_COLOR !== '';
    this.c = new Chalk({ level: !o.json && !noColor && o.stdout.isTTY ? 1 : 0 });
    this.errC = new Chalk({ level: !noColor && o.stderr.isTTY ? 1 : 0 });
    // A terminal of zero columns (a pty nobody sized, as `script` gives cron) sent ora into an
    // endless loop of line clears: no spinner there.
    const width = o.stderr.columns ?? 0;
    this.spinners = !o.json && !o.quiet && o.stderr.isTTY === true && width > 0 && !o.env.CI;
  }

  /**
   * Writes a command's result: the JSON document, or the human text that `human` renders from
   * `view`, a copy of `data` whose strings hold no control characters. Render from the view,
   * never from the original objects: colour is added after, so only our own colours remain.
   * With `page`, the text goes through the pager on a terminal; await it so the process waits
   * for the user to quit the pager.
   */
  result<T>(data: T, human: (view: T) => string): void;
  result<T>(data: T, human: (view: T) => string, opts: ResultOptions): Promise<void>;
  result<T>(data: T, human: (view: T) => string, opts: ResultOptions = {}): void | Promise<void> {
    if (this.json) {
      this.o.stdout.write(`${safeJson(redact(JSON.stringify(data, null, 2)))}\n`);
      return opts.page ? Promise.resolve() : undefined;
    }
    const text = human(safeView(data));
    const lines = text ? `${safeLines(redact(text), this.c.level > 0)}\n` : '';
    const pager = opts.page && lines && this.o.pager && this.o.stdout.isTTY ? pagerCommand(this.o.env) : null;
    if (!pager) {
      if (lines) this.o.stdout.write(lines);
      return opts.page ? Promise.resolve() : undefined;
    }
    // The pager gets the same neutralised text the terminal would have had.
    return page(lines, pager, this.o.env).then((started) => {
      if (!started) this.o.stdout.write(lines);
    });
  }

  /**
   * A note about what a command did elsewhere ("wrote 12 transactions to FILE"): the JSON
   * document under --json, otherwise one or more lines on stderr (none under --quiet), so stdout
   * carries only data.
   */
  summary<T>(data: T, human: (view: T) => string): void {
    if (this.json) return this.result(data, human);
    if (this.quiet) return;
    const text = human(safeView(data));
    if (text) this.o.stderr.write(`${safeLines(redact(text), false)}\n`);
  }

  // Each message is one line: a newline inside (from quoted text) is shown, not obeyed.
  info(message: string): void {
    if (!this.quiet && !this.json) this.o.stderr.write(`${safeText(redact(message))}\n`);
  }

  always(message: string): void {
    this.o.stderr.write(`${safeText(redact(message))}\n`);
  }

  warn(message: string): void {
    this.o.stderr.write(`${this.errC.yellow('warning:')} ${safeText(redact(message))}\n`);
  }

  /** `extra` joins the error in the --json document (e.g. status's recovery report). */
  error(e: BanksyncError, debug: boolean, extra: Record<string, unknown> = {}): void {
    // One line: what went wrong, then what to do about it.
    const hint = e.hint ? ` — ${e.hint}` : '';
    // A person who pressed Ctrl-C (or a stop by SIGTERM) made no mistake: no red "error:".
    const label = e.code === 'CANCELLED' || e.code === 'TERMINATED' ? '' : `${this.errC.red('error:')} `;
    this.o.stderr.write(`${label}${safeText(redact(e.message))}${safeText(redact(hint))}\n`);
    if (debug && e.stack) this.o.stderr.write(`${safeLines(redact(String((e.cause as Error | undefined)?.stack ?? e.stack)), false)}\n`);
    if (this.json) {
      const body = { error: { code: e.code, message: e.message, hint: e.hint ?? null, ref: e.ref, exitCode: exitCodeOf(e) }, ...extra };
      this.o.stdout.write(`${safeJson(redact(JSON.stringify(body, null, 2)))}\n`);
    }
  }

  progress(message: string): { update(message: string): void; stop(): void } {
    if (!this.spinners) return { update: () => undefined, stop: () => undefined };
    let spinner: { text: string; stop(): void } | undefined;
    let stopped = false;
    // ora is loaded lazily: start-up time matters for cron and scripts.
    void import('ora').then(({ default: ora }) => {
      if (!stopped) spinner = ora({ text: safeText(message), stream: this.o.stderr }).start();
    });
    return {
      update: (m) => {
        if (spinner) spinner.text = safeText(m);
      },
      stop: () => {
        stopped = true;
        spinner?.stop();
      },
    };
  }
}

/** Pads columns for a plain-text table; the last column is not padded. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell)))).join('  ')).join('\n');
}

const visibleLength = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, '').length;
