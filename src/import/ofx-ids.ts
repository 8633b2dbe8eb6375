import { fileError } from './errors.js';
import { leaf, lineOf, type OfxNode } from './ofx-tree.js';

/**
 * The file's id for each STMTTRN of one statement: its FITID; without one, its REFNUM or
 * CHECKNUM, prefixed so it can never equal a FITID; without any, none (the line is then
 * deduplicated by its content, as a CSV line is). A repeated FITID refuses the file; a repeated
 * REFNUM/CHECKNUM is no id (as an id it would merge two different lines).
 */
export function fileIds(trns: OfxNode[], file: string, warnings: string[]): (string | undefined)[] {
  const fitids = new Set<string>();
  /** Lines using each REFNUM/CHECKNUM id. */
  const byRef = new Map<string, number[]>();
  let bare = 0;
  const ids = trns.map((t, i) => {
    const fitid = leaf(t, 'FITID');
    if (fitid) {
      if (fitids.has(fitid)) throw fileError(file, `line ${lineOf(t, 'FITID')}: STMTTRN ${i + 1}: FITID ${fitid} is used twice in the statement`, 'a bank file with duplicate FITIDs cannot be deduplicated safely');
      fitids.add(fitid);
      return fitid;
    }
    // A reference of only zeros is a placeholder some banks put on every line, not an id.
    const refnum = leaf(t, 'REFNUM')?.replace(/^0+$/, '');
    const checknum = leaf(t, 'CHECKNUM')?.replace(/^0+$/, '');
    const id = refnum ? `refnum:${refnum}` : checknum ? `checknum:${checknum}` : undefined;
    if (id) byRef.set(id, [...(byRef.get(id) ?? []), i]);
    else bare++;
    return id;
  });
  let refs = 0;
  for (const [id, at] of byRef) {
    if (at.length === 1) {
      refs++;
      continue;
    }
    for (const i of at) ids[i] = undefined;
    bare += at.length;
    const colon = id.indexOf(':');
    warnings.push(`${id.slice(0, colon).toUpperCase()} ${id.slice(colon + 1)} is on ${at.length} lines without FITID (lines ${at.map((i) => lineOf(trns[i])).join(', ')}): they are told apart by their content instead`);
  }
  if (refs) warnings.push(`${refs} STMTTRN without FITID: their REFNUM or CHECKNUM is used as their id`);
  if (bare) warnings.push(`${bare} STMTTRN without FITID, REFNUM or CHECKNUM: deduplicated by date, amount and text`);
  return ids;
}
