import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where banksync keeps things, per the XDG base-directory spec; env overrides first. */
export function defaultDbPath(env: NodeJS.ProcessEnv): string {
  if (env.BANKSYNC_DB) return env.BANKSYNC_DB;
  const data = env.XDG_DATA_HOME || join(home(env), '.local', 'share');
  return join(data, 'banksync', 'banksync.db');
}

/** Holds the secret key file and conf's preferences; never the database. */
export function configDir(env: NodeJS.ProcessEnv): string {
  if (env.BANKSYNC_CONFIG_DIR) return env.BANKSYNC_CONFIG_DIR;
  const config = env.XDG_CONFIG_HOME || join(home(env), '.config');
  return join(config, 'banksync');
}

/** os.homedir() reads HOME from the process's env; a run given its own env (tests) reads it there. */
const home = (env: NodeJS.ProcessEnv) => env.HOME ?? homedir();
