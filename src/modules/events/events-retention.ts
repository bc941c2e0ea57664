import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PurgeBatch, PurgeWindow, runPurgeStatement } from '../../../libs/database/purge';

const TABLES = ['events'] as const;

/**
 * An event goes once its deliveries are gone (the deliveries module purges those first)
 * and it is routed: an event with a live delivery, or one a replay is routing, stays.
 */
const PURGE_EVENTS_SQL = `
  WITH w AS (
    SELECT id FROM events WHERE project_id = $1 AND id > $2 AND id < $3 ORDER BY id LIMIT $4
  ), gone AS (
    DELETE FROM events ev USING w
    WHERE ev.id = w.id AND ev.routed_at IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = ev.id)
    RETURNING ev.*
  )
  SELECT CASE WHEN (SELECT count(*) FROM w) < $4 THEN NULL ELSE (SELECT max(id) FROM w) END AS last_id,
         (SELECT count(*) FROM gone)::int AS n_events,
         CASE WHEN $5 THEN (SELECT json_agg(gone) FROM gone) END AS rows_events`;

const COUNT_EVENTS_SQL = `
  SELECT count(*)::int AS n FROM events ev
  WHERE ev.project_id = $1 AND ev.id < $2 AND ev.routed_at IS NOT NULL
    AND NOT EXISTS (
      SELECT 1 FROM event_deliveries d
      WHERE d.event_id = ev.id AND NOT (d.id < $2 AND d.status IN ('Success', 'Failure', 'Discarded'))
    )`;

/** The events module's part of retention: its own table, in bounded batches. */
@Injectable()
export class EventsRetention {
  readonly tables = TABLES;

  constructor(private readonly ds: DataSource) {}

  purgeBatch(w: PurgeWindow): Promise<PurgeBatch> {
    return runPurgeStatement(this.ds, PURGE_EVENTS_SQL, TABLES, w);
  }

  /** What a purge with this cutoff would remove, once the deliveries before it are gone. */
  async countPurgeable(projectId: string, beforeId: string): Promise<Record<string, number>> {
    const rows: { n: number }[] = await this.ds.query(COUNT_EVENTS_SQL, [projectId, beforeId]);
    return { events: rows[0].n };
  }
}
