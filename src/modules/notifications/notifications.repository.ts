import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Tx, writeResult } from '../../../libs/database/sql';
import { newId } from '../../common/ids';
import type { NewNotification, NotificationRow } from './notification';

const COLS = 'id, project_id, endpoint_id, subscription_id, kind, channel, recipient, payload, status, attempts';

/** A subscription whose alert_config may fire, with what its messages show. */
export interface AlertCandidate {
  subscription_id: string;
  subscription_name: string;
  project_id: string;
  project_name: string;
  endpoint_id: string;
  endpoint_name: string;
  endpoint_url: string;
  support_email: string;
  slack_webhook_url: string;
  count: number;
  threshold: string;
}

/**
 * The notifications outbox and the subscription alert marks. Rows are written in the
 * transaction of what caused them (an endpoint's status change, an alert firing) and
 * sent by the worker with a lease, like meta events.
 */
@Injectable()
export class NotificationsRepository {
  constructor(private readonly ds: DataSource) {}

  async insert(tx: Tx | undefined, rows: NewNotification[]): Promise<void> {
    if (rows.length === 0) return;
    const params: unknown[] = [];
    const values = rows.map((r) => {
      params.push(newId(), r.projectId, r.endpointId, r.subscriptionId ?? null, r.kind, r.channel, r.recipient, JSON.stringify(r.payload));
      const n = params.length;
      return `($${n - 7}, $${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    });
    await (tx ?? this.ds).query(
      `INSERT INTO notifications (id, project_id, endpoint_id, subscription_id, kind, channel, recipient, payload) VALUES ${values.join(', ')}`,
      params,
    );
  }

  /**
   * The project's name, read inside the status change's transaction: asking the projects
   * service there would hold the endpoint's row lock while waiting for a second pool
   * connection.
   */
  async projectName(tx: Tx, projectId: string): Promise<string> {
    const rows: { name: string }[] = await tx.query(`SELECT name FROM projects WHERE id = $1`, [projectId]);
    return rows[0]?.name ?? '';
  }

  /** Sending rows whose worker died are due again; their attempt is not counted. */
  async recoverExpiredLeases(limit: number): Promise<number> {
    const raw: unknown = await this.ds.query(
      `UPDATE notifications SET status = 'Pending', lease_until = NULL, lease_owner = NULL
       WHERE id IN (SELECT id FROM notifications WHERE status = 'Sending' AND lease_until < now() LIMIT $1 FOR UPDATE SKIP LOCKED)`,
      [limit],
    );
    return writeResult(raw).count;
  }

  async claimDue(owner: string, leaseMs: number, limit: number): Promise<NotificationRow[]> {
    const raw: unknown = await this.ds.query(
      `UPDATE notifications SET status = 'Sending', lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision / 1000)
       WHERE id IN (SELECT id FROM notifications WHERE status = 'Pending' AND next_attempt_at <= now()
                    ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLS}`,
      [owner, leaseMs, limit],
    );
    return writeResult<NotificationRow>(raw).rows;
  }

  /** What one recipient was sent about one endpoint since `since` (the rate limit's count). */
  async sentSince(endpointId: string, recipient: string, since: Date): Promise<number> {
    const rows: { n: number }[] = await this.ds.query(
      `SELECT count(*)::int AS n FROM notifications WHERE status = 'Sent' AND endpoint_id = $1 AND recipient = $2 AND sent_at >= $3`,
      [endpointId, recipient, since],
    );
    return rows[0]?.n ?? 0;
  }

  /** Ends a claimed row (only by its lease owner): Sent, Failed or Suppressed, or Pending again at `retryAt`. */
  async finish(id: string, owner: string, status: 'Sent' | 'Failed' | 'Suppressed' | 'Pending', error: string, retryAt?: Date): Promise<boolean> {
    const raw: unknown = await this.ds.query(
      `UPDATE notifications SET status = $3, attempts = attempts + CASE WHEN $3 = 'Suppressed' THEN 0 ELSE 1 END,
         last_error = $4, next_attempt_at = COALESCE($5, next_attempt_at), lease_until = NULL, lease_owner = NULL,
         sent_at = CASE WHEN $3 = 'Sent' THEN now() ELSE sent_at END
       WHERE id = $1 AND lease_owner = $2 AND status = 'Sending'`,
      [id, owner, status, error.slice(0, 2000), retryAt ?? null],
    );
    return writeResult(raw).count === 1;
  }

  /** Removes settled rows older than `before` (at most `limit`); the rate limit reads the last hour only. */
  async purgeSettled(before: Date, limit: number): Promise<number> {
    const raw: unknown = await this.ds.query(
      `DELETE FROM notifications WHERE id IN (
         SELECT id FROM notifications WHERE status IN ('Sent', 'Failed', 'Suppressed') AND created_at < $1 LIMIT $2)`,
      [before, limit],
    );
    return writeResult(raw).count;
  }

  /**
   * Live subscriptions with an alert_config, with their endpoint and project; read here
   * (never written) so the scan is one statement.
   */
  alertCandidates(): Promise<AlertCandidate[]> {
    return this.ds.query(
      `SELECT s.id AS subscription_id, s.name AS subscription_name, s.project_id, p.name AS project_name,
              e.id AS endpoint_id, e.name AS endpoint_name, e.url AS endpoint_url, e.support_email, e.slack_webhook_url,
              (s.alert_config->>'count')::int AS count, s.alert_config->>'threshold' AS threshold
       FROM subscriptions s
       JOIN endpoints e ON e.id = s.endpoint_id AND e.deleted_at IS NULL
       JOIN projects p ON p.id = s.project_id AND p.deleted_at IS NULL
       WHERE s.deleted_at IS NULL AND s.alert_config IS NOT NULL
         AND jsonb_typeof(s.alert_config->'count') = 'number' AND (s.alert_config->>'count')::int > 0
       ORDER BY s.id
       LIMIT $1`,
      [10_000],
    );
  }

  /**
   * Failed attempts per subscription since each one's own floor id (attempt ids are ULIDs,
   * so an id floor is a time floor): one scan of the attempts in the widest window.
   */
  async failuresSince(windows: { subscriptionId: string; endpointId: string; floorId: string }[]): Promise<Map<string, number>> {
    if (windows.length === 0) return new Map();
    const minFloor = windows.reduce((m, w) => (w.floorId < m ? w.floorId : m), windows[0].floorId);
    const rows: { subscription_id: string; failures: number }[] = await this.ds.query(
      `SELECT w.sub AS subscription_id, count(*)::int AS failures
       FROM unnest($1::text[], $2::text[], $3::text[]) AS w(sub, ep, floor)
       JOIN delivery_attempts a ON a.endpoint_id = w.ep AND a.id >= w.floor
       JOIN event_deliveries d ON d.id = a.event_delivery_id AND d.subscription_id = w.sub
       WHERE a.id >= $4 AND NOT a.status
       GROUP BY w.sub`,
      [windows.map((w) => w.subscriptionId), windows.map((w) => w.endpointId), windows.map((w) => w.floorId), minFloor],
    );
    return new Map(rows.map((r) => [r.subscription_id, r.failures]));
  }

  /**
   * Marks the subscription's alert as fired unless it already fired within `windowMs`;
   * `then` runs in the same transaction only when this call won, so exactly one worker
   * writes the alert's notifications.
   */
  async fireAlert(projectId: string, subscriptionId: string, failures: number, windowMs: number, then: (tx: Tx) => Promise<void>): Promise<boolean> {
    return this.ds.transaction(async (tx) => {
      const raw: unknown = await tx.query(
        `INSERT INTO subscription_alerts (subscription_id, project_id, fired_at, failures) VALUES ($1, $2, now(), $3)
         ON CONFLICT (subscription_id) DO UPDATE SET fired_at = now(), failures = EXCLUDED.failures
           WHERE subscription_alerts.fired_at < now() - make_interval(secs => $4::double precision / 1000)
         RETURNING subscription_id`,
        [subscriptionId, projectId, failures, windowMs],
      );
      if (writeResult(raw).rows.length === 0) return false;
      await then(tx);
      return true;
    });
  }
}
