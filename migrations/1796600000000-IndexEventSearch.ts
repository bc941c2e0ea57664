import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What event search needs: a GIN index over the payload read as jsonb, for containment
 * (`query` or `body` holding a JSON object), and an index on the event type, for the text
 * `query`. The payload stays `raw` text, the exact bytes signed and sent; the index is
 * built from an expression, so no second copy of it is stored (docs/retention-and-search.md
 * has the measurement). `caravan_payload_jsonb` answers NULL for text that jsonb refuses
 * rather than failing the insert: ingest already refuses such payloads (a lone UTF-16
 * surrogate escape), and no other writer's row can make ingest fail because of the index.
 *
 * Both indexes are built CONCURRENTLY, outside a transaction, so an instance with millions
 * of events keeps ingesting while they build. Every step can run again: a build that was
 * interrupted leaves an invalid index, which the next run drops and builds anew.
 */
export class IndexEventSearch1796600000000 implements MigrationInterface {
  name = 'IndexEventSearch1796600000000';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`
      CREATE OR REPLACE FUNCTION caravan_payload_jsonb(payload text) RETURNS jsonb
      LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      BEGIN
        RETURN payload::jsonb;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END
      $$`);
    for (const [name, definition] of [
      ['events_payload_idx', `ON events USING gin (caravan_payload_jsonb(raw) jsonb_path_ops)`],
      ['events_type_idx', `ON events (project_id, event_type, id)`],
    ]) {
      const invalid = (await q.query(`SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1 AND NOT i.indisvalid`, [
        name,
      ])) as unknown[];
      if (invalid.length > 0) await q.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
      await q.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${name} ${definition}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS events_type_idx`);
    await q.query(`DROP INDEX CONCURRENTLY IF EXISTS events_payload_idx`);
    await q.query(`DROP FUNCTION IF EXISTS caravan_payload_jsonb(text)`);
  }
}
