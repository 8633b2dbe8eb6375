import { spawnSync } from 'node:child_process';

export interface ToolResult {
  /** null: the program is not there (or could not start). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs systemctl or crontab from the user's PATH, never through a shell. */
export function runTool(env: NodeJS.ProcessEnv, cmd: string, args: string[], input?: string): ToolResult {
  const r = spawnSync(cmd, args, { env, input, encoding: 'utf8', timeout: 30_000 });
  if (r.error) return { code: null, stdout: '', stderr: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${cmd}: not found` : r.error.message };
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The tool's own words, on one line, for an error message. */
export const said = (r: ToolResult) => r.stderr.trim().split('\n').filter(Boolean).pop() ?? `exit ${r.code}`;
