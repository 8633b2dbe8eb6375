import type { KeySource } from '../../secrets/index.js';
import { PgConnectionRepo } from './connections.js';
import { PgAccountRepo } from './accounts.js';
import { PgAccountMoves } from './account-moves.js';
import { PgTransactionRepo } from './transactions.js';
import { PgPendingRepo } from './pending.js';
import { PgSyncStateRepo } from './sync-state.js';
import { PgLockRepo } from './locks.js';
import { PgExportRepo } from './exports.js';
import { PgInstitutionCacheRepo } from './institution-cache.js';
import { PgInputIssueRepo } from './input-issues.js';
import { PgLineOriginRepo } from './line-origins.js';
import { PgArchiveRepo } from './archive.js';
import { PgTransferRepo } from './transfers.js';
import { PgSecretStore } from './secrets.js';
import type { PgRepositories, Sql } from './port.js';
import { PgSettingsRepo } from './settings.js';
import { PgClaimRepo } from './claims.js';

/** Every repository of a PostgreSQL store, over the port's `Sql`. */
export function pgRepositories(sql: Sql, keySource: KeySource, owner: string, location: string): PgRepositories {
  return {
    connections: new PgConnectionRepo(sql),
    accounts: new PgAccountRepo(sql),
    accountMoves: new PgAccountMoves(sql),
    transactions: new PgTransactionRepo(sql),
    pending: new PgPendingRepo(sql),
    syncState: new PgSyncStateRepo(sql),
    locks: new PgLockRepo(sql, owner),
    exports: new PgExportRepo(sql),
    institutionCache: new PgInstitutionCacheRepo(sql),
    inputIssues: new PgInputIssueRepo(sql),
    lineOrigins: new PgLineOriginRepo(sql),
    archive: new PgArchiveRepo(sql),
    transfers: new PgTransferRepo(sql),
    secrets: new PgSecretStore(sql, keySource, location),
    settings: new PgSettingsRepo(sql),
    claims: new PgClaimRepo(sql, owner),
  };
}
