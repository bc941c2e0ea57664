import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What event search needs: a GIN index over the payload read as jsonb, for containment
 * (`query` or `body` holding a JSON object), and an index on the event type, for the text
 * `query`. The payload stays `raw` text, the exact bytes signed and sent; the index is
 * built from an expression, so no second copy of it is stored (docs/retention-and-search.md
 * has the measurement). `caravan_payload_jsonb` answers NULL for text that jsonb refuses
 * rather than failing the insert: ingest already refuses such payloads (a lone UTF-16
 * surrogate escape), and no other writer's row can make ingest fail because of the index.
 */
export class IndexEventSearch1796600000000 implements MigrationInterface {
  name = 'IndexEventSearch1796600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`
      CREATE FUNCTION caravan_payload_jsonb(payload text) RETURNS jsonb
      LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
      BEGIN
        RETURN payload::jsonb;
      EXCEPTION WHEN others THEN
        RETURN NULL;
      END
      $$`);
    await q.query(`CREATE INDEX events_payload_idx ON events USING gin (caravan_payload_jsonb(raw) jsonb_path_ops)`);
    await q.query(`CREATE INDEX events_type_idx ON events (project_id, event_type, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS events_type_idx`);
    await q.query(`DROP INDEX IF EXISTS events_payload_idx`);
    await q.query(`DROP FUNCTION IF EXISTS caravan_payload_jsonb(text)`);
  }
}
