import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, type CliSandbox, type RunResult } from '../helpers/cli.js';

export { answerConsentPage } from './consent-page.js';

/** A CLI run whose stderr can be watched while it waits for the consent redirect. */
export interface LiveRun {
  child: ChildProcess;
  /** Resolves with the first stderr line matching `re`. */
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  done: Promise<RunResult>;
}

export function runLive(cli: CliSandbox, args: string[], env: NodeJS.ProcessEnv = {}): LiveRun {
  const child = spawn(process.execPath, [BIN, ...args], { env: cli.env(env) });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      const hit = stderr.split('\n').find((l) => w.re.test(l));
      if (hit) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(hit);
      }
    }
  };
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => {
    stderr += d;
    check();
  });
  const done = new Promise<RunResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    done,
    line: (re, timeoutMs = 20_000) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no stderr line like ${re} within ${timeoutMs} ms; stderr so far:\n${stderr}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void done.then(() => {
          check();
          setTimeout(() => reject(new Error(`the command ended without a line like ${re}; stderr:\n${stderr}`)), 50);
        });
        check();
      }),
  };
}
