import { formatMinor } from '../domain/money.js';
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

/**
 * balanceCheck line by line, for a file read as it streams: the walk forward (oldest first) and
 * the walk backward (newest first) both run as the lines pass, and the dates say at the end which
 * one the file's order was. Same balances and warnings as balanceCheck over the whole list.
 */
export class BalanceWalk {
  private ascending = true;
  private descending = true;
  private last?: string;
  private oldest?: string;
  private newest?: string;
  private any = false;
  // Forward: walk() as the lines come.
  private fRunning: number | null = null;
  private fBefore = 0;
  private fOpening = 0;
  private readonly fWarnings: string[] = [];
  // Backward, seen in file order: the last line with a balance is where the backward walk starts.
  private bPrev?: { balance: number; raw: string; where: string; sum: number };
  /** The first balance in the file, and the amounts above it: where the backward walk ends. */
  private first?: number;
  private bHead = 0;
  private readonly bWarnings: string[] = [];

  constructor(private readonly currency: string) {}

  push({ line, balance }: Booked): void {
    const d = line.bookingDate;
    if (this.last !== undefined) {
      if (d < this.last) this.ascending = false;
      if (d > this.last) this.descending = false;
    }
    this.last = d;
    if (this.oldest === undefined || d < this.oldest) this.oldest = d;
    if (this.newest === undefined || d > this.newest) this.newest = d;
    const a = line.amountMinor;
    if (this.fRunning !== null) this.fRunning += a;
    if (balance) {
      this.any = true;
      this.first ??= balance.minor;
      if (this.fRunning === null) this.fOpening = balance.minor - this.fBefore - a;
      else if (this.fRunning !== balance.minor) this.fWarnings.push(`${line.where}: the balance column says ${balance.raw}, the amounts give ${formatMinor(this.fRunning, this.currency)}`);
      this.fRunning = balance.minor;
      // Backward: the previous balanced line p must equal this one plus the amounts from p up to here.
      if (this.bPrev) {
        const running = balance.minor + this.bPrev.sum;
        if (running !== this.bPrev.balance) this.bWarnings.push(`${this.bPrev.where}: the balance column says ${this.bPrev.raw}, the amounts give ${formatMinor(running, this.currency)}`);
      }
      this.bPrev = { balance: balance.minor, raw: balance.raw, where: line.where, sum: a };
    } else {
      if (this.bPrev) this.bPrev.sum += a;
      else this.bHead += a;
    }
    this.fBefore += a;
  }

  result(): { balances: FileBalance[]; warnings: string[] } {
    if (!this.any) return { balances: [], warnings: [] };
    const forward = { opening: this.fOpening, closing: this.fRunning!, warnings: this.fWarnings };
    const backward = () => ({
      // The backward walk starts at the file's last balanced line and ends past its first lines.
      opening: this.bPrev!.balance - this.bPrev!.sum,
      closing: this.first! + this.bHead,
      warnings: [...this.bWarnings].reverse(),
    });
    let result = forward;
    if (this.descending && !this.ascending) result = backward();
    else if (!(this.ascending && !this.descending) && forward.warnings.length > 0) {
      const other = backward();
      if (other.warnings.length === 0) result = other;
    }
    return {
      balances: [
        { kind: 'opening', date: this.oldest!, amountMinor: result.opening },
        { kind: 'closing', date: this.newest!, amountMinor: result.closing },
      ],
      warnings: result.warnings,
    };
  }
}
