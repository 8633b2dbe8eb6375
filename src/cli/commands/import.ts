import { Option, type Command } from 'commander';
import type { FileReport } from '../../core/import.js';
import { badInput } from '../../domain/errors.js';
import { CSV_PROFILE_NAMES, DATE_FORMAT_NAMES, FORMAT_NAMES } from '../../import/options.js';
import type { FileFormat } from '../../import/types.js';
import { plural } from '../format.js';
import { parseAccountRef } from '../parse.js';
import type { RuntimeOf } from '../runtime.js';

interface Flags {
  account?: number;
  newAccount?: string;
  format: FileFormat | 'auto';
  profile?: string;
  map?: string;
  dateFormat?: string;
  currency?: string;
  dryRun?: boolean;
  forceAccount?: boolean;
  header?: boolean;
  debitValues?: string;
  decimal?: '.' | ',';
}

const EXAMPLES = `
Examples:
  $ banksync import statement.ofx                       # the account comes from the file (created the first time)
  $ banksync import jan.csv feb.csv --account a1        # add to an existing account (also a synced one)
  $ banksync import export.qif --new-account "Old savings" --currency EUR --date-format uk
  $ banksync import bank.csv --map date=0,amount=3,payee=1,memo=2 --date-format DD.MM.YYYY --currency EUR
  $ banksync import triodos.csv --no-header --map date=0,amount=2,direction=3,payee=4 --currency EUR
  $ banksync import camt053.xml --dry-run`;

export function registerImport(program: Command, runtimeOf: RuntimeOf): void {
  program
    .command('import')
    .description('import statement files (OFX/QFX, CAMT.053, CSV, QIF) into a local account, without duplicates')
    .argument('<files...>', 'statement files')
    .option('--account <id>', 'add to this account', parseAccountRef)
    .option('--new-account <name>', 'create a new account with this name')
    .addOption(new Option('--format <format>', 'file format (default: by content)').choices(['auto', ...FORMAT_NAMES]).default('auto'))
    .addOption(new Option('--profile <name>', 'CSV layout').choices([...CSV_PROFILE_NAMES]))
    .option(
      '--map <fields>',
      'CSV columns: date=0,amount=3,payee=1,memo=2,id=4,debit=5,credit=6,currency=7,value_date=8,direction=9 (0-based or header names; direction: a column of debit/credit markers such as Af/Bij, D/C, S/H that signs an unsigned amount)',
    )
    .option('--header', 'CSV: the first row of the table is a header (default: by content)')
    .option('--no-header', 'CSV: the file has no header row; name the columns with --map and numbers')
    .option('--debit-values <values>', 'CSV: direction values that mean money out, comma-separated (every other value is money in)')
    .addOption(new Option('--decimal <mark>', 'CSV decimal mark, for a file whose amounts do not settle it (1,500 alone)').choices(['.', ',']))
    .option('--date-format <layout>', `CSV/QIF date layout: ${DATE_FORMAT_NAMES.join(', ')}`)
    .option('--currency <code>', 'currency for files that carry none (QIF, most CSV)')
    .option('--dry-run', 'show what would be added, skipped as duplicate or rejected; write nothing')
    .option('--force-account', 'with --account: import even when the file names another account')
    .addHelpText('after', EXAMPLES)
    .action(async (files: string[], o: Flags, cmd: Command) => {
      const rt = runtimeOf(cmd);
      // The parsers (XML, CSV) load only when importing: every other command starts faster.
      const { importFiles } = await import('../../core/import.js');
      if (o.currency && !/^[A-Za-z]{3}$/.test(o.currency)) throw badInput(`--currency must be an ISO 4217 code like EUR, got "${o.currency}"`);
      const r = await importFiles(rt.services(), {
        files,
        format: o.format,
        accountId: o.account,
        newAccount: o.newAccount,
        profile: o.profile,
        map: o.map,
        dateFormat: o.dateFormat,
        currency: o.currency,
        dryRun: o.dryRun,
        forceAccount: o.forceAccount,
        header: o.header,
        debitValues: o.debitValues,
        decimal: o.decimal,
      });
      for (const f of r.files) for (const w of f.warnings) rt.out.warn(`${f.file}: ${w}`);
      for (const f of r.files)
        for (const st of f.statements)
          for (const b of st.balances.filter((x) => x.differs)) {
            rt.out.warn(`${f.file}: the statement balance on ${b.date} is ${b.file}, banksync computes ${b.banksync} for ${st.account}: a line is missing or doubled`);
          }
      rt.out.result(r, (v) => render(v.files, v.dryRun));
      // A remark, not part of the report: stdout keeps one line per statement read.
      if (r.dryRun) rt.out.info('dry run: nothing was written');
    });
}

function render(files: FileReport[], dryRun: boolean): string {
  const verb = dryRun ? 'would add' : 'added';
  return files
    .flatMap((f) =>
      f.statements.map(
        (st) =>
          `${f.file} (${f.format}) → ${st.account} ${st.accountName}${st.created ? (dryRun ? ' (would be created)' : ' (created)') : ''}: ${verb} ${st.added}, ${st.duplicates} already there` +
          `${st.matchedByText ? ` (${st.matchedByText} matched by text: banksync warnings --kind fuzzy-merge)` : ''}${st.updated ? `, ${st.updated} corrected` : ''}${st.quarantined ? `, ${st.quarantined} not imported (banksync warnings)` : ''} (${plural(st.lines, 'line')})`,
      ),
    )
    .join('\n');
}
