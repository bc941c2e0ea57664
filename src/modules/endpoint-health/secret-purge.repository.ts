import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { writeResult } from '../../../libs/database/sql';

/**
 * Removes signing secrets whose rotation overlap is over. One set-based statement over
 * the endpoints table (the endpoints module's aggregate, touched here only for this
 * housekeeping) so the job never loads endpoints into the worker; secrets that still sign
 * are never touched and an endpoint always keeps at least one secret.
 */
@Injectable()
export class SecretPurgeRepository {
  constructor(private readonly ds: DataSource) {}

  async purgeExpired(limit: number): Promise<string[]> {
    const raw: unknown = await this.ds.query(
      `WITH stale AS (
         SELECT e.id FROM endpoints e
         WHERE e.deleted_at IS NULL
           AND EXISTS (SELECT 1 FROM jsonb_array_elements(e.secrets) s
                       WHERE s->>'deleted_at' IS NOT NULL OR (s->>'expires_at' IS NOT NULL AND (s->>'expires_at')::timestamptz <= now()))
           AND EXISTS (SELECT 1 FROM jsonb_array_elements(e.secrets) s
                       WHERE s->>'deleted_at' IS NULL AND (s->>'expires_at' IS NULL OR (s->>'expires_at')::timestamptz > now()))
         LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       UPDATE endpoints e SET updated_at = now(), secrets = (
         SELECT jsonb_agg(x.s ORDER BY x.ord) FROM jsonb_array_elements(e.secrets) WITH ORDINALITY AS x(s, ord)
         WHERE x.s->>'deleted_at' IS NULL AND (x.s->>'expires_at' IS NULL OR (x.s->>'expires_at')::timestamptz > now()))
       FROM stale WHERE e.id = stale.id
       RETURNING e.id`,
      [limit],
    );
    return writeResult<{ id: string }>(raw).rows.map((r) => r.id);
  }
}
