import { spawn } from 'node:child_process';
import type { CliSandbox } from './cli.js';

/** Runs a shell command on a pseudo-terminal (util-linux `script`), typing `input` once `waitFor` shows up. */
export function onTerminal(
  cli: CliSandbox,
  shellCommand: string,
  env: NodeJS.ProcessEnv = {},
  input?: { waitFor: RegExp; text: string },
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', shellCommand, '/dev/null'], { env: cli.env(env) });
    let output = '';
    let typed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end after 30 s; ${output.length} bytes of output, last: ${JSON.stringify(output.slice(-300))}`));
    }, 30_000);
    child.stdout.on('data', (d) => {
      output += d;
      // A runaway spinner writes without end: stop it rather than fill the disk.
      if (output.length > 1_000_000) child.kill('SIGKILL');
      if (input && !typed && input.waitFor.test(output)) {
        typed = true;
        child.stdin.write(input.text);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
