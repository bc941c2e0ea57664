import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps the message id a broker gave an event (`x-broker-message-id`), so an event that came
 * in from a queue can be traced back to its message. Nullable, no default: adding it
 * rewrites nothing.
 */
export class KeepBrokerMessageIds1796100000000 implements MigrationInterface {
  name = 'KeepBrokerMessageIds1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`ALTER TABLE events ADD COLUMN broker_message_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events DROP COLUMN broker_message_id`);
  }
}
