import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PurgeBatch, PurgeWindow, runPurgeStatement } from '../../../libs/database/purge';

const TABLES = ['delivery_attempts', 'event_deliveries'] as const;

/**
 * Finished deliveries (Success, Failure, Discarded) and their attempts. A delivery still
 * Scheduled, Retry or Processing is never removed, whatever its age; the row lock skips
 * a delivery a worker or a resend holds right now, and the status is checked again under it.
 */
const PURGE_DELIVERIES_SQL = `
  WITH w AS (
    SELECT id FROM event_deliveries WHERE project_id = $1 AND id > $2 AND id < $3 ORDER BY id LIMIT $4
  ), ended AS (
    SELECT d.id FROM event_deliveries d JOIN w ON w.id = d.id
    WHERE d.status IN ('Success', 'Failure', 'Discarded')
    FOR UPDATE OF d SKIP LOCKED
  ), attempts AS (
    DELETE FROM delivery_attempts WHERE event_delivery_id IN (SELECT id FROM ended) RETURNING *
  ), deliveries AS (
    DELETE FROM event_deliveries WHERE id IN (SELECT id FROM ended) RETURNING *
  )
  SELECT CASE WHEN (SELECT count(*) FROM w) < $4 THEN NULL ELSE (SELECT max(id) FROM w) END AS last_id,
         (SELECT count(*) FROM attempts)::int AS n_delivery_attempts,
         (SELECT count(*) FROM deliveries)::int AS n_event_deliveries,
         CASE WHEN $5 THEN (SELECT json_agg(attempts) FROM attempts) END AS rows_delivery_attempts,
         CASE WHEN $5 THEN (SELECT json_agg(deliveries) FROM deliveries) END AS rows_event_deliveries`;

const COUNT_DELIVERIES_SQL = `
  WITH ended AS (
    SELECT id FROM event_deliveries WHERE project_id = $1 AND id < $2 AND status IN ('Success', 'Failure', 'Discarded')
  )
  SELECT (SELECT count(*) FROM ended)::int AS event_deliveries,
         (SELECT count(*) FROM delivery_attempts a JOIN ended ON a.event_delivery_id = ended.id)::int AS delivery_attempts`;

/** The deliveries module's part of retention: deliveries and attempts, in bounded batches. */
@Injectable()
export class DeliveriesRetention {
  readonly tables = TABLES;

  constructor(private readonly ds: DataSource) {}

  purgeBatch(w: PurgeWindow): Promise<PurgeBatch> {
    return runPurgeStatement(this.ds, PURGE_DELIVERIES_SQL, TABLES, w);
  }

  async countPurgeable(projectId: string, beforeId: string): Promise<Record<string, number>> {
    const rows: { event_deliveries: number; delivery_attempts: number }[] = await this.ds.query(COUNT_DELIVERIES_SQL, [projectId, beforeId]);
    return { delivery_attempts: rows[0].delivery_attempts, event_deliveries: rows[0].event_deliveries };
  }
}
