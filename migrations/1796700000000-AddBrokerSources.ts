import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Message-broker sources (`type = pub_sub`): the broker settings live beside the source,
 * credentials sealed inside the jsonb. A redelivered broker message must become the same
 * event, so (source, broker message id) is unique; the index is partial, so events from
 * the API and /ingest (no message id) cost nothing. Messages that can never become an
 * event are kept in `broker_rejections`, owned by the brokers module.
 */
export class AddBrokerSources1796700000000 implements MigrationInterface {
  name = 'AddBrokerSources1796700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`ALTER TABLE sources ADD COLUMN pub_sub jsonb`);
    await q.query(`CREATE INDEX sources_pub_sub_idx ON sources (id) WHERE type = 'pub_sub' AND deleted_at IS NULL`);
    await q.query(`CREATE UNIQUE INDEX events_broker_message_uq ON events (source_id, broker_message_id) WHERE broker_message_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE broker_rejections (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        source_id text NOT NULL,
        broker_message_id text,
        reason text NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}',
        body text NOT NULL,
        dead_lettered boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX broker_rejections_source_idx ON broker_rejections (project_id, source_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE broker_rejections`);
    await q.query(`DROP INDEX events_broker_message_uq`);
    await q.query(`DROP INDEX sources_pub_sub_idx`);
    await q.query(`ALTER TABLE sources DROP COLUMN pub_sub`);
  }
}
