import type { Command } from 'commander';
import { badInput } from '../../core/errors.js';
import { isPreferenceKey, openPreferences, PREFERENCES } from '../preferences.js';
import { table } from '../output.js';
import type { RuntimeOf } from '../program.js';

export function registerConfig(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('config')
    .description('show or set preferences (not secrets): overlap-days, lock-date, concurrency, expense-account, income-account')
    .argument('[key]', Object.keys(PREFERENCES).join(' | '))
    .argument('[value]', 'new value; "" clears lock-date')
    .addHelpText('after', '\nExamples:\n  $ banksync config\n  $ banksync config lock-date 2025-01-01\n  $ banksync config overlap-days 10')
    .action(async (key: string | undefined, value: string | undefined, _o: unknown, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const prefs = await openPreferences(rt.configDir);
      if (key !== undefined && !isPreferenceKey(key)) throw badInput(`unknown setting "${key}"`, `settings: ${Object.keys(PREFERENCES).join(', ')}`);
      if (key !== undefined && value !== undefined) prefs.set(key, PREFERENCES[key].parse(value));
      const store = prefs.store;
      const shown = key === undefined ? store : { [key]: store[key] ?? null };
      rt.out.result({ config: shown as Record<string, unknown>, path: prefs.path }, ({ config }) =>
        table(Object.keys(PREFERENCES).filter((k) => key === undefined || k === key).map((k) => [k, String(config[k] ?? '(default)'), PREFERENCES[k as keyof typeof PREFERENCES].description])),
      );
    });
}
