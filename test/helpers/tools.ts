import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const VALIDATORS = resolve(__dirname, '../validators');

/** The Debian packages .ci/run installs for the third-party checks. */
export const APT_PACKAGES = 'ofx opensp libxml2-utils python3-ofxparse hledger ledger ledger-autosync libfinance-qif-perl beancount aqbanking-tools sqlite3 chromium openssl bsdutils zsh fish';

/** Fails loudly (never skips) when a third-party checker is missing: a skipped check proves nothing. */
export function requireTools(...tools: string[]): void {
  const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0);
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: apt-get install ${APT_PACKAGES}`);
}

export interface ToolRun {
  code: number | null;
  out: string;
}

export function tool(cmd: string, args: string[], cwd?: string): ToolRun {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd, env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' }, maxBuffer: 256 * 1024 * 1024, timeout: 300_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Runs one of the validators/check-*.sh scripts. */
export function check(script: 'ofx' | 'csv' | 'qif' | 'camt', file: string, expected: number, flags: string[] = []): ToolRun {
  return tool('bash', [join(VALIDATORS, `check-${script}.sh`), ...flags, file, String(expected)]);
}

/**
 * Like tool(), without blocking the test worker: a checker that runs for seconds under spawnSync
 * starves vitest's worker RPC on a loaded machine ("Timeout calling onTaskUpdate").
 */
export function toolAsync(cmd: string, args: string[], cwd?: string): Promise<ToolRun> {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out }));
  });
}

/** check() without blocking the test worker. */
export function checkAsync(script: 'ofx' | 'csv' | 'qif' | 'camt', file: string, expected: number, flags: string[] = []): Promise<ToolRun> {
  return toolAsync('bash', [join(VALIDATORS, `check-${script}.sh`), ...flags, file, String(expected)]);
}
