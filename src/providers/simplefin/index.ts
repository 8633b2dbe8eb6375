import { addDays, isoDate } from '../../domain/clock.js';
import { BanksyncError } from '../../domain/errors.js';
import type {
  RequestBudget as ConnectionBudget,
  ConnectionFetchRequest,
  ConnectionPage,
  Provider,
  ProviderContext,
  ProviderPending,
  ProviderTransaction,
  RejectedLine,
  SessionHandle,
  TransactionPage,
} from '../types.js';
import { SimpleFinApi } from './api.js';
import { RequestBudget } from './budget.js';
import { SIMPLEFIN_META } from './meta.js';
import { mapTransactions, placeAccounts, readWarnings, splitExternalId, toAccount, warningsFor, type PlacedAccount } from './map.js';
import { decodeSetupToken } from './urls.js';

/** The Bridge caps end-date − start-date at 90 days (it answers a longer one capped, with a gen.api warning). */
export const MAX_WINDOW_SECONDS = 90 * 86_400;

/** What a SimpleFIN connection keeps (sealed in the secret store): the Access URL is the credential. */
interface Session {
  accessUrl: string;
  /** Epoch ms of the requests made in the last 24 hours (budget.ts). */
  requestLog?: number[];
}

export interface Window {
  start: number;
  end: number;
}

/** [from 00:00 UTC, min(the day after `to`, now)) in UNIX seconds, cut into windows of at most 90 days, oldest first. */
export function windowsFor(from: string, to: string, now: Date): Window[] {
  const start = Date.parse(`${from}T00:00:00Z`) / 1000;
  const end = Math.min(Date.parse(`${addDays(to, 1)}T00:00:00Z`) / 1000, Math.floor(now.getTime() / 1000));
  const out: Window[] = [];
  for (let s = start; s < end; s += MAX_WINDOW_SECONDS) out.push({ start: s, end: Math.min(s + MAX_WINDOW_SECONDS, end) });
  return out;
}

interface Gathered {
  booked: ProviderTransaction[];
  pending: Map<string, ProviderPending>;
  rejected: RejectedLine[];
  warnings: string[];
  balance?: TransactionPage['balance'];
  /** Windows whose answer lacked this account or said its listing was incomplete. */
  gaps: number;
}

export function createSimpleFinProvider(ctx: ProviderContext): Provider {
  const api = new SimpleFinApi(ctx);

  /**
   * One GET /accounts per window for all the asked accounts; everything is gathered before
   * anything is handed out, because an account missing from one window's answer (act.failed)
   * must store nothing this run: storing its other windows would move its watermark past the gap.
   */
  async function gather(h: SessionHandle, externalIds: string[], from: string, to: string, budget?: ConnectionBudget): Promise<Map<string, Gathered>> {
    const windows = windowsFor(from, to, ctx.now());
    // Deferred whole rather than half read: a range that needs more requests than are left waits.
    new RequestBudget(h, ctx.now).reserve(windows.length, `reading ${from}…${to}`);
    const left = budget && (await budget.remaining());
    if (left !== undefined && left < windows.length) {
      const tomorrow = new Date(`${addDays(isoDate(ctx.now()), 1)}T00:00:00Z`).toISOString();
      throw new BanksyncError('RATE_LIMITED', `SimpleFIN: reading ${from}…${to} needs ${windows.length} requests and this connection has ${left} left today`, { retryAt: tomorrow });
    }
    const wanted = new Map(externalIds.map((id) => [id, { booked: [], pending: new Map(), rejected: [], warnings: [], gaps: 0 } as Gathered]));
    const filter = [...new Set(externalIds.map((id) => splitExternalId(id)?.accountId).filter((x): x is string => x !== undefined))];
    const today = isoDate(ctx.now());
    for (const w of windows) {
      const set = await api.accounts(h, { start: w.start, end: w.end, accountIds: filter }, budget);
      const { placed, problems } = placeAccounts(set);
      const warnings = readWarnings(set);
      const byId = new Map<string, PlacedAccount>(placed.map((p) => [p.externalId, p]));
      for (const [id, g] of wanted) {
        const p = byId.get(id);
        const add = (lines: string[]) => g.warnings.push(...lines.filter((l) => !g.warnings.includes(l)));
        add(problems);
        if (!p) {
          g.gaps++;
          add([...warnings.general, ...warnings.byAccount.filter((e) => e.accountId === splitExternalId(id)?.accountId).map((e) => e.line)]);
          continue;
        }
        const own = warningsFor(warnings, p);
        add(own);
        if (own.some((l) => /^SimpleFIN act\.missingdata/.test(l))) g.gaps++;
        const lines = mapTransactions(p.wire.transactions ?? [], p.wire.currency, today);
        g.booked.push(...lines.booked);
        for (const pe of lines.pending) if (pe.externalId && !g.pending.has(pe.externalId)) g.pending.set(pe.externalId, pe);
        g.rejected.push(...lines.rejected.filter((r) => !g.rejected.some((x) => x.externalId !== undefined && x.externalId === r.externalId)));
        const balance = toAccount(p).balance;
        if (balance) g.balance = balance;
      }
    }
    return wanted;
  }

  /**
   * The page of a fully answered account. An account left out of a window's answer (act.failed)
   * or listed incompletely (act.missingdata) gets none: its lines from other windows could move
   * its watermark past the gap. It stores nothing this run, judges no pending line, and the next
   * sync asks for the same days again.
   */
  function pageOf(g: Gathered): TransactionPage | undefined {
    if (g.gaps > 0) return undefined;
    const seen = new Set<string>();
    const booked = g.booked.filter((t) => !t.externalId || (!seen.has(t.externalId) && (seen.add(t.externalId), true)));
    return {
      booked,
      pending: [...g.pending.values()],
      pendingMode: 'snapshot',
      ...(g.rejected.length ? { rejected: g.rejected } : {}),
      ...(g.warnings.length ? { warnings: g.warnings } : {}),
      balance: g.balance,
    };
  }

  /** Why an account has no page, for the one-account fetch that must say it. */
  function gapError(g: Gathered): BanksyncError {
    const why = g.warnings.length ? g.warnings.join('; ') : 'SimpleFIN left the account out of its answer';
    return new BanksyncError('PROVIDER_UNAVAILABLE', `${why}; nothing was stored for it, the next sync asks again`);
  }

  return {
    ...SIMPLEFIN_META,

    // The Bridge chooses the bank; there is no catalogue to list.
    async listInstitutions() {
      return [];
    },
    async getInstitution() {
      return undefined;
    },

    async beginConsent({ token }) {
      const claimUrl = decodeSetupToken(token);
      // The key's name marks the value as a secret wherever consent state is kept.
      return { state: { claimToken: claimUrl.toString() } };
    },

    async completeConsent(start) {
      const claim = start.state.claimToken;
      if (typeof claim !== 'string') throw new BanksyncError('INTERNAL', 'internal error: SimpleFIN consent has no claim address');
      const accessUrl = await api.claim(new URL(claim));
      const session: Session = { accessUrl };
      return { session: { ...session } };
    },

    async listAccounts(h) {
      const set = await api.accounts(h, { balancesOnly: true });
      return placeAccounts(set).placed.map(toAccount);
    },

    fetchConnection(h: SessionHandle, req: ConnectionFetchRequest): AsyncIterable<ConnectionPage> {
      return (async function* () {
        // Nothing to ask (a window that ends before it starts): empty pages that judge no pending line.
        if (windowsFor(req.from, req.to, ctx.now()).length === 0) {
          for (const a of req.accounts) yield { accountExternalId: a.externalId, booked: [], pendingMode: 'delta' as const };
          return;
        }
        const got = await gather(
          h,
          req.accounts.map((a) => a.externalId),
          req.from,
          req.to,
          req.budget,
        );
        for (const [accountExternalId, g] of got) {
          const page = pageOf(g);
          // An account without a page is one the engine neither removes nor marks synced.
          if (page) yield { accountExternalId, ...page };
        }
      })();
    },

    fetchTransactions(h, req) {
      return (async function* () {
        // Nothing to ask (a window that ends before it starts): no page, so no pending line is judged.
        if (windowsFor(req.from, req.to, ctx.now()).length === 0) {
          yield { booked: [], pendingMode: 'delta' as const };
          return;
        }
        const g = (await gather(h, [req.account.externalId], req.from, req.to, req.budget)).get(req.account.externalId)!;
        const page = pageOf(g);
        if (!page) throw gapError(g);
        yield page;
      })();
    },
  };
}
