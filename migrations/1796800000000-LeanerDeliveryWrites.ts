import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Two changes that make each delivery cheaper to write:
 *
 * - `event_deliveries_event_idx (event_id)` duplicates the leading column of
 *   `event_deliveries_route_uq (event_id, subscription_id, route_seq)`, which serves the
 *   same look-ups. Every change of a delivery's status is a new row version that every index
 *   of the table gets an entry for (status is in the due and lease indexes' predicates),
 *   so one index fewer is one entry fewer per insert, claim and attempt record.
 * - An event's row is updated once when its deliveries settle it (status and updated_at,
 *   neither indexed). With full pages that update lands on another page and adds an entry
 *   to each of the table's nine indexes, the payload's GIN index among them; room left on
 *   each page (fillfactor 80) lets it stay on its page as a heap-only update with no index
 *   entries. It applies to pages written from now on.
 */
export class LeanerDeliveryWrites1796800000000 implements MigrationInterface {
  name = 'LeanerDeliveryWrites1796800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`DROP INDEX IF EXISTS event_deliveries_event_idx`);
    await q.query(`ALTER TABLE events SET (fillfactor = 80)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events RESET (fillfactor)`);
    await q.query(`CREATE INDEX IF NOT EXISTS event_deliveries_event_idx ON event_deliveries (event_id)`);
  }
}
