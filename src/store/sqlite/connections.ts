import type { Connection, ConnectionStatus } from '../../domain/model.js';
import type { Db } from './db.js';

/** A row of `connections` as both stores read it back. */
export interface ConnectionRow {
  id: number;
  provider_id: string;
  institution_id: string;
  institution_name: string;
  status: ConnectionStatus;
  status_detail: string | null;
  consent_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export const connectionFromRow = (r: ConnectionRow): Connection => ({
  id: r.id,
  providerId: r.provider_id,
  institutionId: r.institution_id,
  institutionName: r.institution_name,
  status: r.status,
  statusDetail: r.status_detail,
  consentExpiresAt: r.consent_expires_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class ConnectionRepo {
  constructor(private readonly db: Db) {}

  create(c: { providerId: string; institutionId: string; institutionName: string; consentExpiresAt?: string; now: string }): number {
    const info = this.db
      .prepare(
        `INSERT INTO connections (provider_id, institution_id, institution_name, consent_expires_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(c.providerId, c.institutionId, c.institutionName, c.consentExpiresAt ?? null, c.now, c.now);
    return Number(info.lastInsertRowid);
  }

  get(id: number): Connection | undefined {
    const row = this.db.prepare('SELECT * FROM connections WHERE id = ?').get(id) as ConnectionRow | undefined;
    return row && connectionFromRow(row);
  }

  list(): Connection[] {
    return (this.db.prepare('SELECT * FROM connections ORDER BY id').all() as ConnectionRow[]).map(connectionFromRow);
  }

  setStatus(id: number, status: ConnectionStatus, detail: string | null, now: string): void {
    this.db.prepare('UPDATE connections SET status = ?, status_detail = ?, updated_at = ? WHERE id = ?').run(status, detail, now, id);
  }

  setConsent(id: number, expiresAt: string | null, now: string): void {
    this.db.prepare(`UPDATE connections SET consent_expires_at = ?, status = 'active', status_detail = NULL, updated_at = ? WHERE id = ?`).run(expiresAt, now, id);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM connections WHERE id = ?').run(id);
  }
}
