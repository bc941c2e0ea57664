import type { DataSource } from 'typeorm';

/**
 * TypeORM's postgres driver answers UPDATE and DELETE with `[rows, rowCount]` and every
 * other command with the rows alone. This reads both shapes.
 */
export function writeResult<T>(raw: unknown): { rows: T[]; count: number } {
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number') {
    return { rows: raw[0] as T[], count: raw[1] };
  }
  const rows = Array.isArray(raw) ? (raw as T[]) : [];
  return { rows, count: rows.length };
}

interface PgResult {
  command: string;
  rows: unknown[];
  rowCount: number | null;
}

interface PgPool {
  query(q: { text: string; values?: unknown[]; name?: string }): Promise<PgResult>;
}

/** Names of the hot statements, prepared once per connection (see usePreparedStatements). */
const statementNames = new Map<string, string>();
let prepare = true;

/**
 * Whether fastQuery prepares its statements (DATABASE_PREPARED_STATEMENTS): PostgreSQL then
 * parses and plans each hot statement once per connection instead of on every call, and
 * only its parameters travel. Off for a pooler that cannot keep prepared statements
 * (PgBouncer in transaction mode before 1.21).
 */
export function usePreparedStatements(on: boolean): void {
  prepare = on;
}

function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `caravan_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * For the hot paths (ingest, claim, attempt records): runs the statement on the pg pool
 * that TypeORM owns, skipping its per-query query runner, broadcaster and logger, which
 * profiling showed as a fifth of the worker's CPU. Answers in the same shape as
 * `DataSource.query` (see writeResult).
 */
export async function fastQuery<T = unknown>(ds: DataSource, sql: string, params: unknown[] = []): Promise<T> {
  const pool = (ds.driver as unknown as { master?: PgPool }).master;
  if (!pool) return await ds.query(sql, params);
  // the texts are a small fixed set (fastQuery never builds SQL from values), so the names stay few
  const r = await pool.query({ text: sql, values: params, name: prepare ? statementName(sql) : undefined });
  return (r.command === 'UPDATE' || r.command === 'DELETE' ? [r.rows, r.rowCount ?? 0] : r.rows) as T;
}

/**
 * A transaction another module's repository may join, so a change that spans two owners'
 * tables commits atomically while each owner still writes only its own. Opaque outside
 * repositories: services pass it along, never use it.
 */
export type Tx = import('typeorm').EntityManager;
