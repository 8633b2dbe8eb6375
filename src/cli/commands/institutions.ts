import type { Command } from 'commander';
import { table } from '../output.js';
import { parseCountry } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';

export function registerInstitutions(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('institutions')
    .description('search institutions: which provider serves each, and its limits')
    .argument('[query]', 'part of the institution name')
    .option('--country <XX>', 'two-letter country code', parseCountry)
    .option('--provider <id>', 'only this provider')
    .option('--refresh', "fetch the providers' lists again instead of using the local copy (kept 7 days)")
    .addHelpText(
      'after',
      '\nExamples:\n  $ banksync institutions sandbox\n  $ banksync institutions --country BE --provider gocardless\n  $ banksync institutions --country NL --provider sandbox --json',
    )
    .action(async (query: string | undefined, o: { country?: string; provider?: string; refresh?: boolean }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const { searchInstitutions } = await import('../../core/institutions.js');
      const rows = await searchInstitutions(rt.services(), { query, country: o.country, providerId: o.provider, refresh: o.refresh });
      // Without a query a provider lists its thousands of banks: read them in the pager.
      await rt.out.result(
        { institutions: rows },
        ({ institutions }) => {
          if (institutions.length === 0) return 'no institution matches';
          const flags = (r: (typeof institutions)[number]) =>
            [
              r.beta ? 'beta' : '',
              r.scaEveryFetch ? 'SCA every fetch' : '',
              r.refreshesPerDay ? `${r.refreshesPerDay}/day` : '',
              r.historyDays ? `${r.historyDays}d history` : '',
              r.consentDays ? `consent ${r.consentDays}d` : '',
            ]
              .filter(Boolean)
              .join(', ');
          return table([['ID', 'NAME', 'COUNTRY', 'PROVIDER', 'FLAGS'], ...institutions.map((r) => [r.id, r.name, r.country, r.providerId, flags(r)])]);
        },
        { page: true },
      );
    });
}
