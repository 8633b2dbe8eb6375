import type { Services } from './context.js';
import type { Transaction } from '../domain/model.js';
import { loadRuleSet } from './rules/index.js';
import { transferLegs } from './transfers/index.js';
import type { LineAnnotation } from '../domain/annotation.js';

export type { LineAnnotation, TransferLeg } from '../domain/annotation.js';

export const NO_ANNOTATION: LineAnnotation = Object.freeze({ category: null, cleanPayee: null, tags: Object.freeze([]) as readonly string[], rule: null, transfer: null });

/**
 * A stable text form of what an export target received beyond the bank's line; '' when nothing.
 * Incremental targets compare it to decide that a re-categorised or newly paired line is a change.
 */
export function annotationKey(a: LineAnnotation): string {
  if (a === NO_ANNOTATION || (a.category === null && a.cleanPayee === null && a.tags.length === 0 && a.transfer === null)) return '';
  return JSON.stringify([a.category, a.cleanPayee, a.tags, a.transfer ? [a.transfer.transferId, a.transfer.otherAccountId] : null]);
}

export interface Annotator {
  annotate(line: Transaction): LineAnnotation;
}

/** Loads the rules and the transfer pairs once; then annotates line after line without queries. */
export async function createAnnotator(s: Services, accountIds: readonly number[]): Promise<Annotator> {
  const rules = await loadRuleSet(s);
  const legs = await transferLegs(s, accountIds);
  if (rules.size === 0 && legs.size === 0) return { annotate: () => NO_ANNOTATION };
  return {
    annotate(line) {
      const hit = rules.size ? rules.match(line) : null;
      const transfer = legs.get(line.id) ?? null;
      if (!hit && !transfer) return NO_ANNOTATION;
      return {
        category: hit?.category ?? null,
        cleanPayee: hit?.payee ?? null,
        tags: hit?.tags ?? [],
        rule: hit?.index ?? null,
        transfer,
      };
    },
  };
}

/**
 * The annotation an incremental target received, back from its stored key, so a journal can
 * reverse the posting it holds. A transfer leg comes back with what the key keeps (pair and other
 * account); its direction follows the line's amount.
 */
export function annotationFromKey(key: string, amountMinor: number): LineAnnotation {
  if (!key) return NO_ANNOTATION;
  const [category, cleanPayee, tags, transfer] = JSON.parse(key) as [string | null, string | null, string[], [string, number] | null];
  return {
    category,
    cleanPayee,
    tags,
    rule: null,
    transfer: transfer ? { transferId: transfer[0], otherAccountId: transfer[1], otherLineId: '', direction: amountMinor < 0 ? 'out' : 'in', how: '' } : null,
  };
}
