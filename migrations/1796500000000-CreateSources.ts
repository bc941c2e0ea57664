import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sources of incoming webhooks (`POST /ingest/{mask_id}`). A new table, so nothing is
 * rewritten; the mask is what a sender knows, so it is unique across projects.
 */
export class CreateSources1796500000000 implements MigrationInterface {
  name = 'CreateSources1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`
      CREATE TABLE sources (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        mask_id text NOT NULL,
        name text NOT NULL,
        type text NOT NULL,
        provider text NOT NULL DEFAULT '',
        is_disabled boolean NOT NULL DEFAULT false,
        verifier jsonb NOT NULL,
        custom_response jsonb NOT NULL,
        idempotency_keys text[] NOT NULL DEFAULT '{}',
        event_type_location text NOT NULL DEFAULT '',
        forward_headers text[] NOT NULL DEFAULT '{}',
        body_function text,
        header_function text,
        provider_config jsonb,
        rate_limit integer NOT NULL DEFAULT 0,
        rate_limit_duration integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX sources_mask_id_key ON sources (mask_id)`);
    await q.query(`CREATE INDEX sources_project_idx ON sources (project_id, id) WHERE deleted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sources`);
  }
}
