import { join } from 'node:path';
import type { Command } from 'commander';
import { CONSENT_WARN_DAYS } from '../../core/status.js';
import { ExitCode } from '../exit-codes.js';
import { localTime, plural } from '../format.js';
import { readPreferences } from '../preferences.js';
import type { RuntimeOf } from '../runtime.js';

const EXAMPLES = `
Examples:
  $ banksync doctor
  $ banksync doctor --thorough                 # also compare every index with its table (slower)
  $ banksync doctor --quiet                    # only what needs attention; silent when all is well
  $ banksync doctor --json | jq '.checks[] | select(.status != "ok")'

Exit codes: 0 every check ok; 3 a check warns or fails (something for you to do: the hint says what);
            7 the database cannot be used (corrupt, unreadable, from a newer banksync, disk full).`;

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

export function registerDoctor(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('doctor')
    .description('check the database, secret key, providers, consents, failing accounts, gaps and schedule; say what to fix')
    .option('--thorough', 'PRAGMA integrity_check instead of quick_check (slower on a large database)')
    .addHelpText('after', EXAMPLES)
    .action(async (o: { thorough?: boolean }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { doctor } = await import('../../core/doctor/index.js');
      const prefs = await readPreferences(rt.configDir);
      const report = await doctor({
        dbPath: rt.dbPath,
        keySource: { envKey: rt.env.BANKSYNC_SECRET_KEY, keyFile: join(rt.configDir, 'secret.key') },
        env: rt.env,
        consentWarnDays: prefs['consent-warn-days'] ?? CONSENT_WARN_DAYS,
        thorough: !!o.thorough,
        // A person reads local time with its zone; --json keeps ISO UTC.
        fmt: { time: (iso) => (rt.out.json ? iso : localTime(iso)), plural },
        services: () => rt.services(),
      });
      rt.exitCode = report.databaseUnusable ? ExitCode.ENVIRONMENT : report.ok ? ExitCode.OK : ExitCode.NEEDS_HUMAN;
      const { c } = rt.out;
      const paint = { ok: c.green, warn: c.yellow, fail: c.red };
      rt.out.result({ checks: report.checks, ok: report.ok }, (v) => {
        // --quiet (cron): only what needs attention, nothing at all when everything is fine.
        const shown = rt.out.quiet ? v.checks.filter((k) => k.status !== 'ok') : v.checks;
        const lines = shown.map((k) => `${paint[k.status](MARK[k.status])} ${k.message}${k.hint ? ` — ${k.hint}` : ''}`);
        const attention = v.checks.filter((k) => k.status !== 'ok').length;
        if (!rt.out.quiet) lines.push(attention ? `${plural(attention, 'check')} of ${v.checks.length} ${attention === 1 ? 'needs' : 'need'} attention` : `all ${v.checks.length} checks ok`);
        return lines.join('\n');
      });
    });
}
