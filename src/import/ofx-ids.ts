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
    return refnum ? `refnum:${refnum}` : checknum ? `checknum:${checknum}` : undefined;
  });
  const uses = new Map<string, number[]>();
  ids.forEach((id, i) => {
    if (id && !fitids.has(id) && /^(refnum|checknum):/.test(id)) uses.set(id, [...(uses.get(id) ?? []), i]);
  });
  for (const [id, at] of uses) {
    if (at.length < 2) continue;
    for (const i of at) ids[i] = undefined;
    const colon = id.indexOf(':');
    warnings.push(`${id.slice(0, colon).toUpperCase()} ${id.slice(colon + 1)} is on ${at.length} lines without FITID (lines ${at.map((i) => lineOf(trns[i])).join(', ')}): they are told apart by their content instead`);
  }
  const byRef = ids.filter((id, i) => id && !leaf(trns[i], 'FITID')).length;
  const bare = ids.filter((id) => !id).length;
  if (byRef) warnings.push(`${byRef} STMTTRN without FITID: their REFNUM or CHECKNUM is used as their id`);
  if (bare) warnings.push(`${bare} STMTTRN without FITID, REFNUM or CHECKNUM: deduplicated by date, amount and text`);
  return ids;
}
