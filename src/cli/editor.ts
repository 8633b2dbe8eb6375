import { spawn } from 'node:child_process';
import { BanksyncError, badInput } from '../domain/errors.js';

/**
 * The user's editor on a file, as git and crontab -e run it: $VISUAL, else $EDITOR, else vi,
 * through `sh -c` (the variable may hold flags: "code --wait"). Resolves once the editor exits.
 */
export function runEditor(file: string, env: NodeJS.ProcessEnv): Promise<void> {
  const editor = env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi';
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit', env });
    // Ctrl-C belongs to the editor while it runs (vi uses it); banksync waits for the editor's end.
    const saved = process.rawListeners('SIGINT') as ((...args: unknown[]) => void)[];
    process.removeAllListeners('SIGINT');
    const ignore = () => undefined;
    process.on('SIGINT', ignore);
    const restore = () => {
      process.off('SIGINT', ignore);
      for (const l of saved) process.on('SIGINT', l);
    };
    child.on('error', (e) => {
      restore();
      reject(new BanksyncError('ENVIRONMENT', `could not start the editor: ${e.message}`, { hint: 'set VISUAL or EDITOR' }));
    });
    child.on('close', (code, signal) => {
      restore();
      if (code === 0) return resolve();
      // sh says 127 when the command is not found, 126 when it cannot run.
      if (code === 127 || code === 126) return reject(new BanksyncError('ENVIRONMENT', `the editor "${editor}" could not be started`, { hint: 'set VISUAL or EDITOR to an editor that is installed' }));
      reject(badInput(`the editor "${editor}" ${signal ? `was stopped by ${signal}` : `exited with status ${code}`}; nothing was saved`));
    });
  });
}
