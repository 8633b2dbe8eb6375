import { spawn } from 'node:child_process';
import type { CliSandbox } from './cli.js';

/** Once the output matches `waitFor`, `answer` runs and whatever it returns is typed. */
export interface TerminalStep {
  waitFor: RegExp;
  answer: string | ((match: RegExpExecArray) => string | Promise<string>);
}

/** Runs a shell command on a pseudo-terminal (util-linux `script`), answering `steps` in order. */
export function onTerminal(cli: CliSandbox, shellCommand: string, env: NodeJS.ProcessEnv = {}, steps: TerminalStep[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', shellCommand, '/dev/null'], { env: cli.env(env) });
    let output = '';
    let next = 0;
    let busy = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end after 30 s; ${output.length} bytes of output, last: ${JSON.stringify(output.slice(-300))}`));
    }, 30_000);
    const step = async (): Promise<void> => {
      const s = steps[next];
      const match = s && !busy ? s.waitFor.exec(output) : null;
      if (!s || !match) return;
      busy = true;
      next++;
      child.stdin.write(typeof s.answer === 'string' ? s.answer : await s.answer(match));
      busy = false;
      await step();
    };
    child.stdout.on('data', (d) => {
      output += d;
      // A runaway spinner writes without end: stop it rather than fill the disk.
      if (output.length > 1_000_000) child.kill('SIGKILL');
      step().catch(reject);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
