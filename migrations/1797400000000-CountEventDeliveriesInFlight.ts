import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A count of an event's deliveries still in flight in its current routing pass, and
 * whether one of those already ended failed. The final attempt of a delivery with siblings
 * then settles the event by decrementing it in the statement that records the attempt,
 * instead of a transaction that locks the event row first. NULL means not counted (events
 * written before this, replays, resends): those settle as before. New nullable and
 * defaulted columns, so nothing is rewritten.
 */
export class CountEventDeliveriesInFlight1797400000000 implements MigrationInterface {
  name = 'CountEventDeliveriesInFlight1797400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`ALTER TABLE events ADD COLUMN pending integer, ADD COLUMN pending_failed boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events DROP COLUMN pending, DROP COLUMN pending_failed`);
  }
}
