import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The notifications outbox: one row per message to one recipient (a mailbox or an
 * endpoint's Slack webhook), written in the transaction that changes the endpoint's status
 * (or records a subscription alert), so a crash between the change and the send loses
 * nothing. `subscription_alerts` remembers when each subscription's alert last fired, so
 * every worker's scan agrees on whether it may fire again.
 */
export class CreateNotifications1797200000000 implements MigrationInterface {
  name = 'CreateNotifications1797200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`
      CREATE TABLE notifications (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        endpoint_id text NOT NULL,
        subscription_id text,
        kind text NOT NULL CHECK (kind IN ('endpoint.disabled', 'endpoint.enabled', 'subscription.alert')),
        channel text NOT NULL CHECK (channel IN ('email', 'slack')),
        recipient text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'Pending' CHECK (status IN ('Pending', 'Sending', 'Sent', 'Failed', 'Suppressed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        lease_owner text,
        last_error text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      )`);
    await q.query(`CREATE INDEX notifications_due_idx ON notifications (next_attempt_at) WHERE status = 'Pending'`);
    await q.query(`CREATE INDEX notifications_lease_idx ON notifications (lease_until) WHERE status = 'Sending'`);
    // the rate limit counts what one recipient was sent about one endpoint in the last hour
    await q.query(`CREATE INDEX notifications_sent_idx ON notifications (endpoint_id, recipient, sent_at) WHERE status = 'Sent'`);
    await q.query(`CREATE INDEX notifications_project_idx ON notifications (project_id, id)`);
    await q.query(`
      CREATE TABLE subscription_alerts (
        subscription_id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        fired_at timestamptz NOT NULL,
        failures integer NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscription_alerts`);
    await q.query(`DROP TABLE notifications`);
  }
}
