import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { EXPORTERS } from '../export/registry.js';
import { addDays } from './clock.js';
import type { Services } from './context.js';
import { BanksyncError, badInput } from './errors.js';
import { requireAccount } from './accounts.js';
import { requireConnection } from './maintain-connection.js';
import type { Account } from './model.js';

export interface ExportOptions {
  format: string;
  accountIds?: number[];
  connectionId?: number;
  from?: string;
  to?: string;
  /** Path to write atomically; stdout when absent. */
  output?: string;
}

export interface ExportResult {
  format: string;
  count: number;
  output: string | null;
}

/** Streams booked transactions through a format writer to stdout or, atomically, to a file. */
export async function exportTransactions(s: Services, o: ExportOptions, stdout: Writable): Promise<ExportResult> {
  const exporter = EXPORTERS[o.format];
  if (!exporter) throw badInput(`unknown export format "${o.format}"`, `formats: ${Object.keys(EXPORTERS).join(', ')}`);
  if (o.from && o.to && o.from > o.to) throw badInput(`--from ${o.from} is after --to ${o.to}`);
  const accounts = resolveAccounts(s, o);
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const rows = s.store.transactions.iterate({ accountIds: accounts.map((a) => a.id), from: o.from, to: o.to });
  const ctx = {
    accounts: byId,
    multiAccount: accounts.length > 1,
    openingBefore: (id: number) => {
      const opening = byId.get(id)?.openingBalanceMinor ?? null;
      if (opening === null || !o.from) return opening;
      return opening + s.store.transactions.sumThrough(id, addDays(o.from, -1));
    },
  };
  if (!o.output) {
    const { count } = await exporter.write(rows, stdout, ctx);
    return { format: o.format, count, output: null };
  }
  // Temp file + rename: a reader never sees half a file, a failure leaves no file behind.
  const tmp = `${o.output}.tmp-${process.pid}`;
  const file = createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
  try {
    await once(file, 'open');
    const { count } = await exporter.write(rows, file, ctx);
    file.end();
    await once(file, 'finish');
    renameSync(tmp, o.output);
    return { format: o.format, count, output: o.output };
  } catch (err) {
    file.destroy();
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code && /^E[A-Z]+$/.test(code)) {
      throw new BanksyncError('BAD_INPUT', `cannot write ${o.output}: ${code}`, { hint: 'choose a writable --output path' });
    }
    throw err;
  }
}

function resolveAccounts(s: Services, o: ExportOptions): Account[] {
  if (o.accountIds?.length) return o.accountIds.map((id) => requireAccount(s, id));
  if (o.connectionId !== undefined) {
    requireConnection(s, o.connectionId);
    return s.store.accounts.byConnection(o.connectionId);
  }
  return s.store.accounts.list();
}
