import type { Command } from 'commander';
import { localTime, plural } from '../format.js';
import { parseConnectionRef, parsePort } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';

export function registerUpdateCredentials(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('update-credentials')
    .description('renew the consent or login of a connection (also reconnects a disconnected one); history stays')
    .argument('<connection>', 'connection id, e.g. c1', parseConnectionRef)
    .option('-y, --yes', 'confirm consent without asking (sandbox)')
    .option('--redirect-port <port>', 'loopback port for the consent redirect (default 8765; 0 = any free port)', parsePort)
    .option('--no-browser', 'do not open a browser; paste the address you end on instead')
    .option('--setup-token <token>', 'a new setup token for providers that take one (asked masked at a terminal)')
    .addHelpText('after', '\nExamples:\n  $ banksync update-credentials c2')
    .action(async (connectionId: number, o: { yes?: boolean; redirectPort?: number; browser: boolean; setupToken?: string }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { updateCredentials } = await import('../../core/maintain-connection.js');
      const r = await updateCredentials(rt.services(), connectionId, { yes: !!o.yes, redirectPort: o.redirectPort, browser: o.browser, setupToken: o.setupToken });
      rt.out.result(r, (v) => {
        const missing = v.accounts.filter((a) => a.status === 'missing');
        return [
          `${v.connection}: consent renewed${v.consentExpiresAt ? ` until ${localTime(v.consentExpiresAt)}` : ''}; ${plural(v.accounts.length - missing.length, 'account')} kept with their history`,
          missing.length ? `  not covered by the new consent: ${missing.map((a) => a.id).join(', ')}` : '',
          v.newAccountsAvailable ? `  ${plural(v.newAccountsAvailable, 'new account')} available: banksync fetch-accounts ${v.connection}` : '',
        ]
          .filter(Boolean)
          .join('\n');
      });
    });
}
