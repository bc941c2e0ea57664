import { Client } from 'pg';

/** The machine's PostgreSQL; S9 passes a private server of its own instead. */
export const PG_SERVER = 'postgres://postgres@127.0.0.1:5432';
export const PG_ADMIN_URL = `${PG_SERVER}/postgres`;

export function dbUrl(name: string, server = PG_SERVER): string {
  return `${server}/${name}`;
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createDatabase(name: string, server = PG_SERVER): Promise<void> {
  await dropDatabase(name, server);
  await withClient(dbUrl('postgres', server), (c) => c.query(`CREATE DATABASE "${name}"`));
}

export async function dropDatabase(name: string, server = PG_SERVER): Promise<void> {
  await withClient(dbUrl('postgres', server), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export async function backendPids(name: string, server = PG_SERVER): Promise<number[]> {
  return withClient(dbUrl('postgres', server), async (c) => {
    const r = await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
    return r.rows.map((x) => x.pid);
  });
}

/** A snapshot of the database's write activity, to divide by the events of a phase. */
export interface PgCounters {
  statements?: number;
  xacts: number;
  inserted: number;
  updated: number;
  deleted: number;
  sizeBytes: number;
  walBytes: number;
}

/**
 * Whether pg_stat_statements can count statements: the extension must be created in the
 * database AND loaded through shared_preload_libraries, which needs a server restart that a
 * benchmark must not do. Returns the reason when it cannot.
 */
export async function statementsAvailable(name: string): Promise<{ ok: boolean; reason: string }> {
  return withClient(dbUrl(name), async (c) => {
    try {
      await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await c.query('SELECT count(*) FROM pg_stat_statements');
      return { ok: true, reason: 'pg_stat_statements' };
    } catch (e) {
      return {
        ok: false,
        reason: `pg_stat_statements unavailable (${(e as Error).message}); counting transactions and row writes from pg_stat_database instead`,
      };
    }
  });
}

export async function pgCounters(name: string, withStatements: boolean, server = PG_SERVER): Promise<PgCounters> {
  return withClient(dbUrl(name, server), async (c) => {
    const d = await c.query<{ x: string; i: string; u: string; d: string; size: string; wal: string }>(
      `SELECT xact_commit + xact_rollback AS x, tup_inserted AS i, tup_updated AS u, tup_deleted AS d,
              pg_database_size(datname) AS size, pg_current_wal_lsn() - '0/0'::pg_lsn AS wal
       FROM pg_stat_database WHERE datname = current_database()`,
    );
    let statements: number | undefined;
    if (withStatements) {
      const s = await c.query<{ n: string }>(
        `SELECT coalesce(sum(calls), 0) AS n FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()`,
      );
      statements = Number(s.rows[0].n);
    }
    const r = d.rows[0];
    return {
      statements,
      xacts: Number(r.x),
      inserted: Number(r.i),
      updated: Number(r.u),
      deleted: Number(r.d),
      sizeBytes: Number(r.size),
      walBytes: Number(r.wal),
    };
  });
}

export function counterDelta(a: PgCounters, b: PgCounters): PgCounters {
  return {
    statements: a.statements !== undefined && b.statements !== undefined ? b.statements - a.statements : undefined,
    xacts: b.xacts - a.xacts,
    inserted: b.inserted - a.inserted,
    updated: b.updated - a.updated,
    deleted: b.deleted - a.deleted,
    sizeBytes: b.sizeBytes - a.sizeBytes,
    walBytes: b.walBytes - a.walBytes,
  };
}

export async function deadTuples(name: string, server = PG_SERVER): Promise<number> {
  return withClient(dbUrl(name, server), async (c) => {
    const r = await c.query<{ n: string }>(`SELECT coalesce(sum(n_dead_tup), 0) AS n FROM pg_stat_user_tables`);
    return Number(r.rows[0].n);
  });
}

export async function pgVersion(): Promise<string> {
  return withClient(PG_ADMIN_URL, async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0].v);
}

/**
 * Where PostgreSQL spends its time for one database when pg_stat_statements is not
 * loaded: samples pg_stat_activity every `everyMs` and counts the statements (and wait
 * events) it finds active. Shares of samples approximate shares of backend busy time.
 */
export class ActivitySampler {
  private counts = new Map<string, number>();
  private waits = new Map<string, number>();
  private samples = 0;
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly db: string,
    private readonly everyMs = 20,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      const c = new Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      try {
        while (this.running) {
          const r = await c.query<{ q: string; w: string | null }>(
            `SELECT regexp_replace(left(query, 200), '\\s+', ' ', 'g') AS q, wait_event_type || ':' || wait_event AS w
             FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND backend_type = 'client backend'`,
            [this.db],
          );
          this.samples++;
          for (const row of r.rows) {
            const q = row.q.trim().slice(0, 110);
            this.counts.set(q, (this.counts.get(q) ?? 0) + 1);
            if (row.w) this.waits.set(row.w, (this.waits.get(row.w) ?? 0) + 1);
          }
          await new Promise((res) => setTimeout(res, this.everyMs));
        }
      } finally {
        await c.end();
      }
    })();
  }

  async stop(): Promise<{ samples: number; busyBackends: number; top: { statement: string; share: number }[]; waits: { event: string; share: number }[] }> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    const total = [...this.counts.values()].reduce((a, b) => a + b, 0);
    const top = [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([statement, n]) => ({ statement, share: total ? n / total : 0 }));
    const waits = [...this.waits.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([event, n]) => ({ event, share: total ? n / total : 0 }));
    return { samples: this.samples, busyBackends: this.samples ? total / this.samples : 0, top, waits };
  }
}
