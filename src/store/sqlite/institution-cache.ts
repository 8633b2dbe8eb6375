import type { Institution } from '../../domain/model.js';
import type { Db } from './db.js';

export interface CachedInstitutions {
  fetchedAt: string;
  institutions: Institution[];
}

/** The last institution list each provider served, per country ('' = the whole list). */
export class InstitutionCacheRepo {
  constructor(private readonly db: Db) {}

  get(providerId: string, country: string): CachedInstitutions | undefined {
    const row = this.db.prepare('SELECT fetched_at, body FROM institution_cache WHERE provider_id = ? AND country = ?').get(providerId, country) as { fetched_at: string; body: string } | undefined;
    return row && { fetchedAt: row.fetched_at, institutions: JSON.parse(row.body) as Institution[] };
  }

  put(providerId: string, country: string, institutions: Institution[], now: string): void {
    this.db
      .prepare(
        `INSERT INTO institution_cache (provider_id, country, fetched_at, body) VALUES (?, ?, ?, ?)
         ON CONFLICT (provider_id, country) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body`,
      )
      .run(providerId, country, now, JSON.stringify(institutions));
  }

  /** Searches every cached list of a provider, for lookups by id that should not need the network. */
  find(providerId: string, id: string): Institution | undefined {
    const rows = this.db.prepare('SELECT body FROM institution_cache WHERE provider_id = ?').all(providerId) as { body: string }[];
    for (const r of rows) {
      const hit = (JSON.parse(r.body) as Institution[]).find((i) => i.id === id);
      if (hit) return hit;
    }
    return undefined;
  }
}
