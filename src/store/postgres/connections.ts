import type { Connection, ConnectionStatus } from '../../domain/model.js';
import type { Async } from '../port.js';
import { connectionFromRow, type ConnectionRepo, type ConnectionRow } from '../sqlite/connections.js';
import type { Sql } from './port.js';

/** Bank connections (one consent each): see the SQLite ConnectionRepo; rows read back the same. */
export class PgConnectionRepo implements Async<ConnectionRepo> {
  constructor(private readonly sql: Sql) {}

  async create(c: { providerId: string; institutionId: string; institutionName: string; consentExpiresAt?: string; now: string }): Promise<number> {
    const row = await this.sql.one<{ id: number }>(
      `INSERT INTO connections (provider_id, institution_id, institution_name, consent_expires_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
      [c.providerId, c.institutionId, c.institutionName, c.consentExpiresAt ?? null, c.now],
    );
    return row!.id;
  }

  async get(id: number): Promise<Connection | undefined> {
    const row = await this.sql.one<ConnectionRow>('SELECT * FROM connections WHERE id = $1', [id]);
    return row && connectionFromRow(row);
  }

  async list(): Promise<Connection[]> {
    return (await this.sql.rows<ConnectionRow>('SELECT * FROM connections ORDER BY id')).map(connectionFromRow);
  }

  async setStatus(id: number, status: ConnectionStatus, detail: string | null, now: string): Promise<void> {
    await this.sql.run('UPDATE connections SET status = $1, status_detail = $2, updated_at = $3 WHERE id = $4', [status, detail, now, id]);
  }

  async setConsent(id: number, expiresAt: string | null, now: string): Promise<void> {
    await this.sql.run(`UPDATE connections SET consent_expires_at = $1, status = 'active', status_detail = NULL, updated_at = $2 WHERE id = $3`, [expiresAt, now, id]);
  }

  async delete(id: number): Promise<void> {
    await this.sql.run('DELETE FROM connections WHERE id = $1', [id]);
  }
}
