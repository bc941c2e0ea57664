import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Marks endpoints the gateway disabled itself (sustained failure, 410 Gone), so their
 * deliveries are held until someone activates the endpoint, while an endpoint a user
 * disabled keeps Convoy's behaviour of discarding.
 */
export class HoldDeliveriesOfAutoDisabledEndpoints1795918865480 implements MigrationInterface {
  name = 'HoldDeliveriesOfAutoDisabledEndpoints1795918865480';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`
      CREATE TABLE endpoint_auto_disables (
        endpoint_id text PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
        project_id text NOT NULL,
        reason text NOT NULL,
        disabled_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS endpoint_auto_disables`);
  }
}
