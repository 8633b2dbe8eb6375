import { formatMinor } from '../core/money.js';
import type { FileBalance, FileLine } from './types.js';

/** A parsed line with its balance cell, if the file has a balance column. */
export interface Booked {
  line: FileLine;
  balance?: { minor: number; raw: string };
}

/**
 * Running balances in the order the money moved: a newest-first file (dates never increasing) is
 * walked from its last line. The opening balance is the one before the oldest line, the closing
 * one after the newest. When the dates do not tell (all on one day, or unsorted), the balance
 * column decides if only one order adds up; otherwise the file's order is taken.
 */
export function balanceCheck(booked: Booked[], currency: string | undefined): { balances: FileBalance[]; warnings: string[] } {
  if (!currency || !booked.some((b) => b.balance)) return { balances: [], warnings: [] };
  const dates = booked.map((b) => b.line.bookingDate);
  const ascending = dates.every((d, i) => i === 0 || d >= dates[i - 1]!);
  const descending = dates.every((d, i) => i === 0 || d <= dates[i - 1]!);
  const backward = () => walk([...booked].reverse(), currency);
  let result: ReturnType<typeof walk>;
  if (descending && !ascending) result = backward();
  else {
    result = walk(booked, currency);
    // Dates that do not tell (one day, or unsorted): the other order, if only it adds up.
    if (!(ascending && !descending) && result.warnings.length > 0) {
      const other = backward();
      if (other.warnings.length === 0) result = other;
    }
  }
  const oldest = dates.reduce((a, b) => (b < a ? b : a));
  const newest = dates.reduce((a, b) => (b > a ? b : a));
  return {
    balances: [
      { kind: 'opening', date: oldest, amountMinor: result.opening },
      { kind: 'closing', date: newest, amountMinor: result.closing },
    ],
    warnings: result.warnings,
  };
}

function walk(chrono: Booked[], currency: string): { opening: number; closing: number; warnings: string[] } {
  const warnings: string[] = [];
  let running: number | null = null;
  let before = 0;
  let opening = 0;
  for (const { line, balance } of chrono) {
    if (running !== null) running += line.amountMinor;
    if (balance) {
      if (running === null) opening = balance.minor - before - line.amountMinor;
      else if (running !== balance.minor) warnings.push(`${line.where}: the balance column says ${balance.raw}, the amounts give ${formatMinor(running, currency)}`);
      running = balance.minor;
    }
    before += line.amountMinor;
  }
  return { opening, closing: running!, warnings };
}
