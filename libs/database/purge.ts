import type { DataSource } from 'typeorm';

/**
 * One step of a retention purge over one table family of one project: the rows with
 * `afterId < id < beforeId`, at most `limit` of them, oldest first. Ids are ULIDs, so the
 * id bound is the age bound and the (project_id, id) indexes serve the scan.
 */
export interface PurgeWindow {
  projectId: string;
  afterId: string;
  beforeId: string;
  limit: number;
  /** called with the rows of each table before the batch commits (an export); a failure rolls the batch back */
  archive?: PurgeArchive;
}

export type PurgeArchive = (table: string, rows: Record<string, unknown>[]) => Promise<void>;

export interface PurgeBatch {
  /** the last id the window looked at, where the next batch starts; null once the window came back short (nothing left) */
  lastId: string | null;
  removed: Record<string, number>;
}

/** Short, so a purge statement queues behind a busy row for a moment and never holds up ingest or delivery for long. */
export const PURGE_LOCK_TIMEOUT_MS = 1000;
export const PURGE_STATEMENT_TIMEOUT_MS = 30_000;

/**
 * Runs one purge statement in a transaction of its own with tight lock and statement
 * timeouts. The statement takes `$1` project, `$2` after id, `$3` before id, `$4` limit,
 * `$5` whether rows are wanted, and answers one row: `last_id`, and for each table a count
 * `n_<table>` and (when `$5`) its deleted rows as a JSON array `rows_<table>`.
 */
export async function runPurgeStatement(ds: DataSource, sql: string, tables: readonly string[], w: PurgeWindow): Promise<PurgeBatch> {
  return ds.transaction(async (m) => {
    await m.query(`SET LOCAL lock_timeout = ${PURGE_LOCK_TIMEOUT_MS}`);
    await m.query(`SET LOCAL statement_timeout = ${PURGE_STATEMENT_TIMEOUT_MS}`);
    const rows: Record<string, unknown>[] = await m.query(sql, [w.projectId, w.afterId, w.beforeId, w.limit, w.archive !== undefined]);
    const row = rows[0] ?? {};
    const removed: Record<string, number> = {};
    for (const t of tables) {
      removed[t] = Number(row[`n_${t}`] ?? 0);
      const deleted = row[`rows_${t}`];
      if (w.archive && Array.isArray(deleted) && deleted.length) await w.archive(t, deleted as Record<string, unknown>[]);
    }
    return { lastId: (row.last_id as string | null) ?? null, removed };
  });
}
