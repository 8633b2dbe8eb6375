import type { Services } from '../context.js';
import type { TransferLeg } from '../annotate.js';

/**
 * The transfer legs among the lines of these accounts, by line id (both legs of a pair are listed
 * when both accounts are given; a leg whose other side is outside them is listed too).
 * Contract stub: no pairs yet (issue 18 fills it).
 */
export function transferLegs(_s: Services, _accountIds: readonly number[]): ReadonlyMap<string, TransferLeg> {
  return new Map();
}
