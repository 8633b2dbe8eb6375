import type { Repositories } from './port.js';

/**
 * Which repository methods only read, and which stream: the same for every store, so each adapter
 * runs a call outside a unit of work the same way (a read as one statement, a write in a
 * transaction of its own).
 *
 * Methods that only read. Anything not listed is taken for a write: outside a unit of work it
 * runs in a transaction of its own (several of them write more than one row), which is the safe
 * side of a forgotten name.
 */
export const READS: { [K in keyof Repositories]: string[] } = {
  connections: ['get', 'list'],
  accounts: ['get', 'list', 'byConnection', 'feedCursor'],
  accountMoves: ['lines', 'idOfExternal', 'nextOrdinal'],
  transactions: [
    'latestBookingDate',
    'count',
    'liveCounts',
    'sumThrough',
    'iterate',
    'isStored',
    'sourcesOf',
    'externalIdsStored',
    'fingerprintCounts',
    'byId',
    'history',
    'inWindow',
    'sameDateAndAmount',
    'sourceOf',
    'hasExternalId',
    'fingerprintCount',
    'isEmpty',
    'candidatesBetween',
  ],
  pending: ['open', 'linkedTransactionIds', 'openByExternalId', 'linkedTo', 'list', 'countOpen'],
  syncState: [
    'latestBalance',
    'balances',
    'coverage',
    'refreshesSince',
    'connectionRequestsSince',
    'errorMessage',
    'latestBalances',
    'coverageByAccount',
    'connectionRequestsSinceByConnection',
    'accountErrorMessages',
  ],
  locks: ['isHeld', 'heldAccounts'],
  exports: ['target', 'targets', 'openedAccounts', 'maxSeq', 'summary', 'changedSince', 'sentAhead', 'sumThrough', 'lines'],
  institutionCache: ['get', 'find'],
  inputIssues: ['list', 'keys', 'counts', 'countsByAccount'],
  lineOrigins: ['has', 'fileRecord', 'of', 'refusals', 'decisions'],
  settings: ['get', 'all'],
  archive: ['list', 'size'],
  transfers: ['scannedSeq', 'maxSeq', 'linesAfter', 'line', 'amountsBetween', 'amountWindow', 'pairOf', 'pairs', 'livePairsOf', 'decision', 'links', 'candidateIdsBetween', 'candidates'],
  secrets: ['get', 'owners'],
  claims: ['heldByOthers'],
};

/** Methods that stream rows: every store hands them out in pages, read inside a unit of work. */
export const STREAMS = new Set(['transactions.iterate', 'transactions.candidatesBetween', 'exports.lines', 'transfers.linesAfter']);
