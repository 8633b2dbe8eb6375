import type { BanksyncError } from '../domain/errors.js';
import { KeySet } from '../domain/key-set.js';
import { fileError } from './errors.js';
import { leaf, lineOf, type OfxNode } from './ofx-tree.js';

/**
 * The file's id for each STMTTRN of one statement: its FITID; without one, its REFNUM or
 * CHECKNUM, prefixed so it can never equal a FITID; without any, none (the line is then
 * deduplicated by its content, as a CSV line is). A repeated FITID refuses the file; a repeated
 * REFNUM/CHECKNUM is no id (as an id it would merge two different lines). The survey pass sees
 * every STMTTRN first (`survey`); the reading pass then asks `idOf`.
 */
export class StatementIds {
  /** FITIDs seen: exact up to 20k, then 64-bit hashes (a false "used twice" about once in 3·10⁷ files of a million lines). */
  private fitids: KeySet | null = new KeySet();
  /** Lines using each REFNUM/CHECKNUM id. */
  private readonly byRef = new Map<string, number[]>();
  private bare = 0;
  /** The first repeated FITID, raised when the statement is read (after its head's own errors, as before). */
  repeated?: BanksyncError;

  constructor(private readonly file: string) {}

  survey(t: OfxNode, i: number): void {
    const fitid = leaf(t, 'FITID');
    if (fitid) {
      if (this.fitids!.count(fitid) !== 0)
        this.repeated ??= fileError(
          this.file,
          `line ${lineOf(t, 'FITID')}: STMTTRN ${i + 1}: FITID ${fitid} is used twice in the statement`,
          'a bank file with duplicate FITIDs cannot be deduplicated safely',
        );
      else this.fitids!.add(fitid);
      return;
    }
    const id = refId(t);
    if (id) {
      const at = this.byRef.get(id);
      if (at) at.push(lineOf(t)!);
      else this.byRef.set(id, [lineOf(t)!]);
    } else this.bare++;
  }

  /** The survey is over: the FITIDs seen are no longer needed (a million of them are 16 MB). */
  surveyed(): void {
    this.fitids = null;
  }

  idOf(t: OfxNode): string | undefined {
    const fitid = leaf(t, 'FITID');
    if (fitid) return fitid;
    const id = refId(t);
    return id && this.byRef.get(id)!.length === 1 ? id : undefined;
  }

  warnings(): string[] {
    const warnings: string[] = [];
    let refs = 0;
    let bare = this.bare;
    for (const [id, at] of this.byRef) {
      if (at.length === 1) {
        refs++;
        continue;
      }
      bare += at.length;
      const colon = id.indexOf(':');
      warnings.push(`${id.slice(0, colon).toUpperCase()} ${id.slice(colon + 1)} is on ${at.length} lines without FITID (lines ${at.join(', ')}): they are told apart by their content instead`);
    }
    if (refs) warnings.push(`${refs} STMTTRN without FITID: their REFNUM or CHECKNUM is used as their id`);
    if (bare) warnings.push(`${bare} STMTTRN without FITID, REFNUM or CHECKNUM: deduplicated by date, amount and text`);
    return warnings;
  }
}

/** A reference of only zeros is a placeholder some banks put on every line, not an id. */
function refId(t: OfxNode): string | undefined {
  const refnum = leaf(t, 'REFNUM')?.replace(/^0+$/, '');
  const checknum = leaf(t, 'CHECKNUM')?.replace(/^0+$/, '');
  return refnum ? `refnum:${refnum}` : checknum ? `checknum:${checknum}` : undefined;
}
