import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PurgeBatch, PurgeWindow, runPurgeStatement } from '../../../libs/database/purge';

const TABLES = ['meta_events'] as const;

/** Meta events that are done; one still Scheduled, Retry or Processing stays. */
const PURGE_META_EVENTS_SQL = `
  WITH w AS (
    SELECT id FROM meta_events WHERE project_id = $1 AND id > $2 AND id < $3 ORDER BY id LIMIT $4
  ), gone AS (
    DELETE FROM meta_events me USING w
    WHERE me.id = w.id AND me.status NOT IN ('Scheduled', 'Retry', 'Processing')
    RETURNING me.*
  )
  SELECT CASE WHEN (SELECT count(*) FROM w) < $4 THEN NULL ELSE (SELECT max(id) FROM w) END AS last_id,
         (SELECT count(*) FROM gone)::int AS n_meta_events,
         CASE WHEN $5 THEN (SELECT json_agg(gone) FROM gone) END AS rows_meta_events`;

/** The meta-events module's part of retention. */
@Injectable()
export class MetaEventsRetention {
  readonly tables = TABLES;

  constructor(private readonly ds: DataSource) {}

  purgeBatch(w: PurgeWindow): Promise<PurgeBatch> {
    return runPurgeStatement(this.ds, PURGE_META_EVENTS_SQL, TABLES, w);
  }

  async countPurgeable(projectId: string, beforeId: string): Promise<Record<string, number>> {
    const rows: { n: number }[] = await this.ds.query(
      `SELECT count(*)::int AS n FROM meta_events WHERE project_id = $1 AND id < $2 AND status NOT IN ('Scheduled', 'Retry', 'Processing')`,
      [projectId, beforeId],
    );
    return { meta_events: rows[0].n };
  }
}
