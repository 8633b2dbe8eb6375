import type { Command } from 'commander';
import { localTime, plural } from '../format.js';
import { parseAccountList, parseCountry, parsePort } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';

export function registerConnect(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('connect')
    .description('connect a bank: pick the institution, give consent, choose the accounts to sync')
    .argument('[query]', 'search text for the institution (interactive)')
    .option('--provider <id>', 'provider serving the institution (e.g. sandbox); providers that choose the bank on their own page need nothing else')
    .option('--institution <id>', 'institution id, from `banksync institutions` (not for providers that choose the bank themselves)')
    .option('--country <XX>', 'narrow the search to a country', parseCountry)
    .option('--accounts <list>', '"all" or comma-separated account ids/IBANs/names', parseAccountList)
    .option('-y, --yes', 'confirm consent without asking (sandbox)')
    .option('--redirect-port <port>', 'loopback port for the consent redirect (default 8765; 0 = any free port)', parsePort)
    .option('--no-browser', 'do not open a browser; paste the address you end on instead')
    .option('--setup-token <token>', 'setup token for providers that take one (asked masked at a terminal; flags end up in shell history)')
    .option('--allow-duplicate', 'connect even though this bank or one of its accounts is already connected (a second login at the same bank)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ banksync connect\n  $ banksync connect --provider sandbox --institution sandbox-bank --accounts all --yes\n  $ banksync connect --provider gocardless --institution SANDBOXFINANCE_SFIN0000 --accounts all --no-browser',
    )
    .action(
      async (
        query: string | undefined,
        o: {
          provider?: string;
          institution?: string;
          country?: string;
          accounts?: 'all' | string[];
          yes?: boolean;
          redirectPort?: number;
          browser: boolean;
          setupToken?: string;
          allowDuplicate?: boolean;
        },
        cmd: Command,
      ) => {
        const rt = runtimeOf(cmd);
        // Loaded when the command runs: start-up stays small for the others.
        const { connect } = await import('../../core/connect.js');
        const r = await connect(rt.services(), {
          providerId: o.provider,
          institutionId: o.institution,
          query,
          country: o.country,
          accounts: o.accounts,
          yes: !!o.yes,
          redirectPort: o.redirectPort,
          browser: o.browser,
          setupToken: o.setupToken,
          allowDuplicate: o.allowDuplicate,
        });
        rt.out.result(r, (v) =>
          [
            `connected ${v.connection}: ${v.institution.name} via ${v.provider}` + (v.consentExpiresAt ? ` (consent until ${localTime(v.consentExpiresAt)})` : ''),
            ...v.accounts.map((a) => `  ${a.id}  ${a.name} (${a.currency}, ${a.kind}${a.institution ? `, at ${a.institution.name}` : ''})`),
            v.ignored ? `  (${plural(v.ignored, 'authorized account')} at other institutions left out)` : '',
          ]
            .filter(Boolean)
            .join('\n'),
        );
        // What to do next is a note, not data: stdout keeps only what was connected.
        rt.out.info(`next: banksync sync ${r.connection}`);
      },
    );
}
