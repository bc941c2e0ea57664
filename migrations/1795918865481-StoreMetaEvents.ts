import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Meta events (endpoint lifecycle and delivery outcomes sent to the project's own URL)
 * live in PostgreSQL like deliveries, with a lease so exactly one worker sends each
 * attempt and a due index the sender polls.
 */
export class StoreMetaEvents1795918865481 implements MigrationInterface {
  name = 'StoreMetaEvents1795918865481';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`
      CREATE TABLE meta_events (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        event_type text NOT NULL,
        status text NOT NULL DEFAULT 'Scheduled' CHECK (status IN ('Scheduled', 'Processing', 'Success', 'Failure', 'Retry', 'Discarded')),
        payload jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        retry_limit integer NOT NULL,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        lease_owner text,
        last_attempt jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX meta_events_project_idx ON meta_events (project_id, id)`);
    await q.query(`CREATE INDEX meta_events_due_idx ON meta_events (next_attempt_at) WHERE status IN ('Scheduled', 'Retry')`);
    await q.query(`CREATE INDEX meta_events_lease_idx ON meta_events (lease_until) WHERE status = 'Processing'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS meta_events`);
  }
}
