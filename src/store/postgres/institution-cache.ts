import type { Institution } from '../../domain/model.js';
import type { Async } from '../port.js';
import type { CachedInstitutions, InstitutionCacheRepo } from '../sqlite/institution-cache.js';
import type { Sql } from './port.js';

/** The last institution list each provider served, per country ('' = the whole list). */
export class PgInstitutionCacheRepo implements Async<InstitutionCacheRepo> {
  constructor(private readonly sql: Sql) {}

  async get(providerId: string, country: string): Promise<CachedInstitutions | undefined> {
    const row = await this.sql.one<{ fetched_at: string; body: string }>('SELECT fetched_at, body FROM institution_cache WHERE provider_id = $1 AND country = $2', [providerId, country]);
    return row && { fetchedAt: row.fetched_at, institutions: JSON.parse(row.body) as Institution[] };
  }

  async put(providerId: string, country: string, institutions: Institution[], now: string): Promise<void> {
    await this.sql.run(
      `INSERT INTO institution_cache (provider_id, country, fetched_at, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (provider_id, country) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body`,
      [providerId, country, now, JSON.stringify(institutions)],
    );
  }

  /**
   * Searches every cached list of a provider, for lookups by id that should not need the network.
   * The server picks the first list holding the id (by country, the order SQLite walks its primary
   * key in), so only that list crosses the network, not every country's.
   */
  async find(providerId: string, id: string): Promise<Institution | undefined> {
    const row = await this.sql.one<{ body: string }>(
      `SELECT body FROM institution_cache
       WHERE provider_id = $1 AND body::jsonb @> jsonb_build_array(jsonb_build_object('id', $2::text))
       ORDER BY country LIMIT 1`,
      [providerId, id],
    );
    return row && (JSON.parse(row.body) as Institution[]).find((i) => i.id === id);
  }
}
