import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { closedLoop, IngestTarget, LoadResult, paced, SeqSource } from '../lib/load';
import { drain } from '../lib/measure';
import { PrivatePostgres } from '../lib/private-pg';
import { percentile, sleep } from '../lib/stats';
import { row, ScenarioResult } from '../report-types';
import { CaravanDeployment } from '../systems/caravan';
import { Ctx, fast, loadFailures, strip, withSink } from './common';

/** The prefilled events span this many days, one every (span / events); RETENTION_POLICY keeps the newest 5/6 of them. */
const SPAN_DAYS = 60;
const POLICY_HOURS = 1200;
const PROJECTS = 100;
const EVENT_TYPES = [
  'invoice.paid',
  'invoice.failed',
  'invoice.created',
  'order.created',
  'order.paid',
  'order.shipped',
  'user.created',
  'user.deleted',
  'refund.issued',
  'payout.sent',
];

interface Capacity {
  ingest: LoadResult;
  ingestRate: number;
  drainRate: number;
  drained: boolean;
}

interface Paced {
  load: LoadResult;
  delivered: number;
  deliveredRate: number;
}

/** Time-ordered ids as Caravan makes them: ULIDs (10 characters of time, then 16 of sequence). */
const FILL_SQL = (events: number, p0: string, e0: string, s0: string): string[] => [
  `CREATE FUNCTION pg_temp.b32(v bigint, len int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
     SELECT string_agg(substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((v >> (5 * (len - 1 - i))) & 31)::int + 1, 1), '' ORDER BY i) FROM generate_series(0, len - 1) i $$`,
  `CREATE TEMP TABLE slots AS
     SELECT s AS slot, t, pg_temp.b32((extract(epoch FROM t) * 1000)::bigint, 10) AS prefix
     FROM (SELECT s, now() - interval '${SPAN_DAYS} days' + s * interval '1 minute' AS t FROM generate_series(0, ${SPAN_DAYS * 1440 - 2}) s) x`,
  `CREATE TEMP TABLE bp AS
     SELECT i AS idx,
            CASE WHEN i = 0 THEN '${p0}' ELSE pg_temp.b32((extract(epoch FROM now()) * 1000)::bigint, 10) || 'P' || lpad(i::text, 15, '0') END AS project_id,
            CASE WHEN i = 0 THEN '${e0}' ELSE pg_temp.b32((extract(epoch FROM now()) * 1000)::bigint, 10) || 'E' || lpad(i::text, 15, '0') END AS endpoint_id,
            CASE WHEN i = 0 THEN '${s0}' ELSE 'sub' || i END AS subscription_id
     FROM generate_series(0, ${PROJECTS - 1}) i`,
  `INSERT INTO projects (id, name, type, config) SELECT bp.project_id, 'fill-' || bp.idx, 'outgoing', p.config FROM bp, projects p WHERE p.id = '${p0}' AND bp.idx > 0`,
  `INSERT INTO endpoints (id, project_id, name, url) SELECT endpoint_id, project_id, 'fill', 'http://127.0.0.1:9/fill' FROM bp WHERE idx > 0`,
  `CREATE TEMP TABLE g AS
     SELECT n, s.prefix || lpad(n::text, 16, '0') AS id, s.prefix || 'D' || lpad(n::text, 15, '0') AS did, s.t, bp.project_id, bp.endpoint_id, bp.subscription_id,
            (ARRAY['${EVENT_TYPES.join("','")}'])[n % ${EVENT_TYPES.length} + 1] AS event_type
     FROM generate_series(1, ${events}) n
     JOIN slots s ON s.slot = (n::bigint * ${SPAN_DAYS * 1440 - 1}) / ${events + 1}
     JOIN bp ON bp.idx = n % ${PROJECTS}`,
  `INSERT INTO events (id, project_id, event_type, target, endpoints, raw, status, routed_at, acknowledged_at, created_at, updated_at)
     SELECT id, project_id, event_type, '{"kind":"endpoint"}', ARRAY[endpoint_id],
            '{"customer":{"id":"cus_' || (n % 5000) || '"},"amount":' || n || ',"currency":"EUR","items":[{"sku":"sku_' || (n % 997) || '","qty":' || (n % 7 + 1) || '}]}',
            'Success', t, t, t, t
     FROM g ORDER BY id`,
  `INSERT INTO event_deliveries (id, project_id, event_id, endpoint_id, subscription_id, event_type, status, attempts, retry_limit, next_attempt_at, acknowledged_at, created_at, updated_at)
     SELECT did, project_id, id, endpoint_id, subscription_id, event_type, 'Success', 1, 3, t, t, t, t FROM g ORDER BY did`,
  `DROP TABLE g`,
];

async function timedGets(
  origin: string,
  key: string,
  paths: string[],
): Promise<{ p50: number; p99: number; errors: number; statuses: Record<string, number> }> {
  const lat: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  for (const path of paths) {
    const t0 = performance.now();
    const r = await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(30_000) }).catch(() => undefined);
    if (r) await r.arrayBuffer();
    lat.push(performance.now() - t0);
    const code = String(r?.status ?? 0);
    statuses[code] = (statuses[code] ?? 0) + 1;
    if (r?.status !== 200) errors++;
  }
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), errors, statuses };
}

/** Closed-loop ingest with the workers stopped, then the drain of what it took with them started. */
async function capacity(
  ctx: Ctx,
  dep: CaravanDeployment,
  target: IngestTarget,
  sink: Parameters<typeof drain>[0],
  seqs: SeqSource,
  run: string,
): Promise<Capacity> {
  const p = ctx.profile.s9;
  await dep.stopWorker();
  const ingest = await closedLoop(target, { concurrency: 32, durationMs: p.closedMs, run, seqs });
  const t0 = performance.now();
  await dep.startWorker();
  const d = await drain(sink, run, ingest.accepted, [0], p.maxDrainMs);
  const drainMs = (d.lastArrivalAt || performance.now()) - t0;
  return { ingest, ingestRate: ingest.rate, drainRate: (ingest.accepted.length * 1000) / Math.max(1, drainMs), drained: d.complete };
}

async function pacedWithDelivery(ctx: Ctx, target: IngestTarget, sink: Parameters<typeof drain>[0], seqs: SeqSource, run: string): Promise<Paced> {
  const p = ctx.profile.s9;
  const t0 = performance.now();
  const load = await paced(target, { rate: p.pacedRate, durationMs: p.pacedMs, run, seqs });
  const end = performance.now();
  // deliveries that arrived while the load ran: the pipeline's pace under it
  const delivered = sink.ofRun(run).filter((a) => a.receivedAt <= end).length;
  await drain(sink, run, load.accepted, [0], p.maxDrainMs);
  return { load, delivered, deliveredRate: (delivered * 1000) / (end - t0) };
}

/**
 * S9, a big table: Caravan alone on a PostgreSQL server of its own (autovacuum on), first
 * with empty tables, then with `events` and `event_deliveries` prefilled by SQL across 100
 * projects. It measures list and search latency on the big table, ingest and delivery
 * capacity against the empty-table figures of the same run, and the retention purge's
 * rows/s while paced ingest and delivery run, with that pace against the empty table's.
 * The `baseline` column holds Caravan's own empty-table figure (there is no baseline pipeline here).
 */
export async function s9(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s9;
  const pg = new PrivatePostgres();
  await pg.start({ shared_buffers: p.sharedBuffers, maintenance_work_mem: '256MB', max_wal_size: '4GB', checkpoint_timeout: '15min' });
  try {
    return await withSink(fast(1), async (sink, urls) => {
      const dep = new CaravanDeployment({
        name: 's9',
        workers: true,
        workerConcurrency: ctx.profile.workerConcurrency,
        caravanDir: ctx.caravanDir,
        pgServer: pg.server,
        // retention runs from the CLI at the measured moment, not on the worker's timer
        caravanEnv: { WORKER_DUTIES: 'deliveries,routing,meta-events,secret-purge', RETENTION_POLICY: `${POLICY_HOURS}h`, ...ctx.caravanEnv },
      });
      try {
        await dep.start();
        const target = await dep.addEndpoints([{ url: urls[0], timeoutS: 5 }]);
        const { projectId, key, endpointIds } = dep.made[0];
        const seqs = new SeqSource();
        // warm up (JIT, pools, caches) before the empty-table figures, which every ratio divides by
        const warm = await closedLoop(target, { concurrency: 32, durationMs: 2000, run: 'warm', seqs });
        await drain(sink, 'warm', warm.accepted, [0], p.maxDrainMs);

        ctx.log('  S9 empty tables: capacity and paced ingest + delivery');
        const emptyCap = await capacity(ctx, dep, target, sink, seqs, 's9-empty-cap');
        const emptyPaced = await pacedWithDelivery(ctx, target, sink, seqs, 's9-empty-paced');

        ctx.log(`  S9 filling ${p.events.toLocaleString('en')} events and deliveries across ${PROJECTS} projects`);
        const c = new Client({ connectionString: dep.databaseUrl });
        await c.connect();
        const fillStart = performance.now();
        let subscriptionId = '';
        try {
          await c.query(`SET synchronous_commit = off`);
          subscriptionId = (await c.query<{ id: string }>(`SELECT id FROM subscriptions WHERE project_id = $1 LIMIT 1`, [projectId])).rows[0].id;
          for (const sql of FILL_SQL(p.events, projectId, endpointIds[0], subscriptionId)) await c.query(sql);
          await c.query('VACUUM ANALYZE events');
          await c.query('VACUUM ANALYZE event_deliveries');
        } finally {
          await c.end();
        }
        const fillS = (performance.now() - fillStart) / 1000;
        ctx.log(`  S9 filled in ${fillS.toFixed(0)} s`);

        const base = `/api/v1/projects/${projectId}/events`;
        const ids = await idsOf(dep.databaseUrl, projectId, p.queries);
        const n = p.queries;
        const list = await timedGets(
          dep.apiOrigin,
          key,
          Array.from({ length: n }, () => `${base}?perPage=20`),
        );
        const byId = await timedGets(
          dep.apiOrigin,
          key,
          ids.map((id) => `${base}?query=${id.slice(0, 14)}`),
        );
        const byType = await timedGets(
          dep.apiOrigin,
          key,
          Array.from({ length: n }, (_, i) => `${base}?query=${EVENT_TYPES[i % EVENT_TYPES.length]}`),
        );
        // customers of this project (n % 100 = 0) and ones it has none of: a search that finds nothing must be fast too
        const byPayload = await timedGets(
          dep.apiOrigin,
          key,
          Array.from({ length: n }, (_, i) => `${base}?body=${encodeURIComponent(`{"customer":{"id":"cus_${(i * 100 + (i % 2)) % 5000}"}}`)}`),
        );
        ctx.log(
          `  S9 p99 list ${list.p99.toFixed(1)} ms, id prefix ${byId.p99.toFixed(1)} ms, type ${byType.p99.toFixed(1)} ms, payload ${byPayload.p99.toFixed(1)} ms`,
        );

        ctx.log('  S9 big tables: capacity');
        const fullCap = await capacity(ctx, dep, target, sink, seqs, 's9-full-cap');

        ctx.log('  S9 retention purge while paced ingest and delivery run');
        const purgeStart = performance.now();
        let purgeOut = '';
        let purgeError = '';
        const purge = dep.cli(['retention', 'run'], p.maxPurgeMs).then(
          (out) => {
            purgeOut = out;
          },
          (e: unknown) => {
            purgeError = (e as Error).message;
          },
        );
        // past the CLI's start-up (a Nest context), so the window measures the purge, not a process booting
        await sleep(p.purgeLeadMs);
        const during = await pacedWithDelivery(ctx, target, sink, seqs, 's9-purge-paced');
        const pacedEnd = performance.now();
        await purge;
        const purgeMs = performance.now() - purgeStart;
        const removed = parseRemoved(purgeOut);
        const removedTotal = Object.values(removed).reduce((a, b) => a + b, 0);
        const overlap = Math.min(1, (purgeMs - p.purgeLeadMs) / (pacedEnd - purgeStart - p.purgeLeadMs));
        ctx.log(`  S9 purge removed ${removedTotal} rows in ${(purgeMs / 1000).toFixed(1)} s ${JSON.stringify(removed)}`);

        const failures = [
          ...loadFailures('caravan', 'S9 empty capacity', emptyCap.ingest),
          ...loadFailures('caravan', 'S9 full capacity', fullCap.ingest),
          ...loadFailures('caravan', 'S9 paced during purge', during.load),
          ...[list, byId, byType, byPayload].flatMap((r, i) =>
            r.errors ? [`S9 ${['list', 'id', 'type', 'payload'][i]} requests failed ${JSON.stringify(r.statuses)}`] : [],
          ),
          ...(purgeError ? [`S9 retention run failed: ${purgeError.slice(0, 400)}`] : []),
          ...(removedTotal === 0 && !purgeError ? ['S9 retention removed nothing'] : []),
        ];
        const ingestRatio = fullCap.ingestRate / emptyCap.ingestRate;
        const deliveryRatio = fullCap.drainRate / emptyCap.drainRate;
        const pacedIngestRatio = during.load.rate / emptyPaced.load.rate;
        const pacedDeliveryRatio = during.deliveredRate / emptyPaced.deliveredRate;
        const q = ctx.profile.quick;
        return {
          id: 'S9',
          title: `${p.events.toLocaleString('en')} events and deliveries across ${PROJECTS} projects: list, search, capacity and retention (baseline column: Caravan on empty tables)`,
          rows: [
            row('S9', 'list p99 (first page, 20 events)', 'ms', list.p99, NaN, 'lower', '< 50 ms', list.p99 < 50),
            row('S9', 'search p99, id prefix (query)', 'ms', byId.p99, NaN, 'lower', '< 50 ms', byId.p99 < 50),
            row('S9', 'search p99, event type (query)', 'ms', byType.p99, NaN, 'lower', '< 50 ms', byType.p99 < 50),
            row('S9', 'search p99, payload containment (body)', 'ms', byPayload.p99, NaN, 'lower', '< 50 ms', byPayload.p99 < 50),
            row(
              'S9',
              'ingest events/s, closed loop, big tables',
              'ev/s',
              fullCap.ingestRate,
              emptyCap.ingestRate,
              'higher',
              '≥ 0.9× empty',
              ingestRatio >= 0.9,
              q && ingestRatio < 0.3,
            ),
            row(
              'S9',
              'delivery drain deliveries/s, big tables',
              'dl/s',
              fullCap.drainRate,
              emptyCap.drainRate,
              'higher',
              '≥ 0.9× empty',
              deliveryRatio >= 0.9,
              q && deliveryRatio < 0.3,
            ),
            row(
              'S9',
              `accepted events/s at paced ${p.pacedRate}/s while purging`,
              'ev/s',
              during.load.rate,
              emptyPaced.load.rate,
              'higher',
              '≥ 0.9× empty',
              pacedIngestRatio >= 0.9,
            ),
            row('S9', `ingest p99 at paced ${p.pacedRate}/s while purging`, 'ms', during.load.latency.p99, emptyPaced.load.latency.p99, 'lower'),
            row(
              'S9',
              `deliveries/s during the paced ${p.pacedRate}/s while purging`,
              'dl/s',
              during.deliveredRate,
              emptyPaced.deliveredRate,
              'higher',
              '≥ 0.9× empty',
              pacedDeliveryRatio >= 0.9,
            ),
            row('S9', 'retention purge rows/s (events + deliveries) under that load', 'rows/s', (removedTotal * 1000) / purgeMs, NaN, 'higher'),
          ],
          failures,
          notes: [
            `private PostgreSQL 15 with autovacuum on, shared_buffers ${p.sharedBuffers}; prefilled by SQL in ${fillS.toFixed(0)} s: ${p.events} events (about 110 B of JSON each) and one Success delivery each over ${SPAN_DAYS} days, RETENTION_POLICY ${POLICY_HOURS}h (the oldest sixth goes)`,
            `${n} sequential requests per latency row; capacity: ${p.closedMs / 1000} s closed loop (32 connections, workers stopped), then the drain with the worker started`,
            `retention removed ${JSON.stringify(removed)} in ${(purgeMs / 1000).toFixed(1)} s; the paced window covered ${(overlap * 100).toFixed(0)}% of the purge`,
          ],
          raw: strip({ emptyCap, fullCap, emptyPaced, during, list, byId, byType, byPayload, removed, purgeMs, fillS }),
        };
      } finally {
        await dep.stop();
      }
    });
  } finally {
    await pg.stop();
  }
}

async function idsOf(url: string, projectId: string, n: number): Promise<string[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ id: string }>(`SELECT id FROM events WHERE project_id = $1 ORDER BY id LIMIT $2`, [projectId, n]);
    // the oldest ones: a search that walks from the newest would have the farthest to go
    return r.rows.map((x) => x.id);
  } finally {
    await c.end();
  }
}

function parseRemoved(out: string): Record<string, number> {
  const removed: Record<string, number> = {};
  for (const m of out.matchAll(/^\s+([a-z_]+)\s+(\d+)$/gm)) removed[m[1]] = Number(m[2]);
  return removed;
}
