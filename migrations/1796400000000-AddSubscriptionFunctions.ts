import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A subscription's transform function (Convoy's `function`): JavaScript applied to the
 * payload before it is signed and sent. NULL for the usual subscription without one.
 */
export class AddSubscriptionFunctions1796400000000 implements MigrationInterface {
  name = 'AddSubscriptionFunctions1796400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`ALTER TABLE subscriptions ADD COLUMN function text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE subscriptions DROP COLUMN function`);
  }
}
