import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Marks a delivery that is the only one of its routing pass. Its final attempt can then
 * settle the event's status in the same statement, with no race against sibling
 * deliveries and no extra transaction; events with several deliveries keep the separate
 * roll-up that waits for the last of them.
 */
export class MarkSoleDeliveries1795921500000 implements MigrationInterface {
  name = 'MarkSoleDeliveries1795921500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`ALTER TABLE event_deliveries ADD COLUMN sole boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE event_deliveries DROP COLUMN sole`);
  }
}
