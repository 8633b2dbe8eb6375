/** Calendar months as YYYY-MM text: what the report groups by (booking dates are YYYY-MM-DD). */

export const monthOf = (date: string) => date.slice(0, 7);

/** Every month from `first` to `last` inclusive (both YYYY-MM); empty when last < first. */
export function monthsBetween(first: string, last: string): string[] {
  const out: string[] = [];
  let y = Number(first.slice(0, 4));
  let m = Number(first.slice(5, 7));
  for (let month = first; month <= last; ) {
    out.push(month);
    if (++m > 12) (m = 1), y++;
    month = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
  }
  return out;
}
