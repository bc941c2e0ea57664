import { join } from 'node:path';
import { Client } from 'pg';
import { allDelivered, FaultScore, formatTable, indexReceipts, score } from '../faults/checker';
import { sleep, until } from '../faults/infra';
import { ApiClient, newEvents, Project, runLoad, SentEvent } from '../faults/load';
import { Sinks } from '../faults/sink';
import { METRICS_TOKEN, ROLES, RoleName, respCall, ScaleCluster } from './cluster';
import { BreakerScore, RateLimitScore, scoreBreaker, scoreRateLimit } from './shared-state';
import { GatewayAnswers, readLoop, ReadScore, sendThroughLb } from './traffic';

/**
 * The scale-out suite: the layout of docs/scaling.md on loopback (PostgreSQL primary +
 * streaming replica, Redis master + replica + three Sentinels, nginx, two api and two worker
 * processes, the egress proxy). Load goes through nginx while one api, one worker, the Redis
 * master and the PostgreSQL replica are killed; then the endpoint rate limit and the circuit
 * breaker are checked to hold across both workers. Scored like the fault suite.
 *
 *   node dist/test/scale/run.js [--ci | --full] [--n <events>] [--keep]
 */
interface Args {
  n: number;
  loadMs: number;
  keep: boolean;
  budgetMs: number;
  size: string;
}

function parseArgs(argv: string[]): Args {
  const full = argv.includes('--full');
  const at = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    n: Number(at('--n') ?? (full ? 6_000 : 1_200)),
    loadMs: Number(at('--load-ms') ?? (full ? 180_000 : 40_000)),
    keep: argv.includes('--keep'),
    budgetMs: full ? 30 * 60_000 : 8 * 60_000,
    size: full ? 'full' : 'ci',
  };
}

function log(line: string): void {
  process.stdout.write(`[scale ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Sends one worker can have in flight: WORKER_CONCURRENCY first attempts plus half as many retries. */
const IN_FLIGHT_PER_WORKER = 20 + 10;
/** the suite's endpoints' http_timeout 5 s + DELIVERY_LEASE_GRACE_MS 5 s */
const LEASE_MS = 10_000;
const DRAIN_LIMIT_MS = 180_000;
/** DATABASE_REPLICA_MAX_LAG_MS + DATABASE_REPLICA_PROBE_MS of the cluster, plus scheduling slack */
const READ_BOUND_MS = 2000 + 500 + 1500;

interface Timeline {
  at: number;
  what: string;
}

async function pendingWork(db: Client, projectId: string): Promise<number> {
  const r = await db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM event_deliveries WHERE project_id = $1 AND status IN ('Scheduled', 'Retry', 'Processing'))
          + (SELECT count(*) FROM events WHERE project_id = $1 AND routed_at IS NULL) AS n`,
    [projectId],
  );
  return Number(r.rows[0].n);
}

/** Waits until every acknowledged event reached each of its endpoints, or PostgreSQL has nothing left to do. */
async function drain(sinks: Sinks, db: Client, name: string, projectId: string, events: SentEvent[]): Promise<number | undefined> {
  const started = Date.now();
  let idle = 0;
  let last = 0;
  let gaveUp = false;
  try {
    await until(
      `${name} to drain`,
      async () => {
        if (allDelivered(events, indexReceipts(sinks.receipts.filter((r) => r.eventId.startsWith(`${name}-`))))) return true;
        if (Date.now() - last < 1000) return false;
        last = Date.now();
        idle = (await pendingWork(db, projectId)) === 0 ? idle + 1 : 0;
        gaveUp = idle >= 5;
        return gaveUp;
      },
      DRAIN_LIMIT_MS,
      50,
    );
  } catch {
    return undefined;
  }
  await until(
    'deliveries to settle',
    async () =>
      (await db.query<{ n: string }>(`SELECT count(*) AS n FROM event_deliveries WHERE project_id = $1 AND status = 'Processing'`, [projectId])).rows[0].n ===
      '0',
    LEASE_MS + 5000,
    100,
  ).catch(() => undefined);
  return gaveUp ? undefined : Date.now() - started;
}

/** Which worker processes held leases of a project's deliveries, sampled while they work (owners carry the pid). */
class OwnerSampler {
  readonly owners = new Map<string, Set<string>>();
  private stopped = false;
  private done?: Promise<void>;

  constructor(
    private readonly db: Client,
    private readonly pidName: (pid: number) => string,
  ) {}

  start(projectIds: string[]): void {
    this.done = (async () => {
      while (!this.stopped) {
        const rows = await this.db
          .query<{ project_id: string; lease_owner: string }>(
            `SELECT DISTINCT project_id, lease_owner FROM event_deliveries WHERE status = 'Processing' AND lease_owner IS NOT NULL AND project_id = ANY($1)`,
            [projectIds],
          )
          .catch(() => ({ rows: [] as { project_id: string; lease_owner: string }[] }));
        for (const r of rows.rows) {
          const pid = Number(r.lease_owner.split(':')[1]);
          let set = this.owners.get(r.project_id);
          if (!set) this.owners.set(r.project_id, (set = new Set()));
          set.add(this.pidName(pid));
        }
        await sleep(50);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

function latencies(events: SentEvent[], sinks: Sinks): { p50: number; p99: number; max: number } {
  const byKey = indexReceipts(sinks.receipts.filter((r) => r.eventId.startsWith('S1-')));
  const l: number[] = [];
  for (const e of events) {
    if (!e.acked) continue;
    const firsts = e.endpoints.map((ep) => Math.min(...(byKey.get(`${e.fid} ${ep}`) ?? []).filter((r) => r.status < 300).map((r) => r.at)));
    if (firsts.every(Number.isFinite)) l.push(Math.max(...firsts) - e.ackedAt);
  }
  l.sort((a, b) => a - b);
  const q = (x: number): number => l[Math.min(l.length - 1, Math.floor(x * l.length))] ?? 0;
  return { p50: q(0.5), p99: q(0.99), max: l[l.length - 1] ?? 0 };
}

async function createEndpoint(api: ApiClient, p: Project, sinks: Sinks, path: string, extra: Record<string, unknown>): Promise<string> {
  const ep = await api.call<{ uid: string; secrets: { value: string }[]; advanced_signatures: boolean }>('POST', `/api/v1/projects/${p.id}/endpoints`, p.key, {
    name: path,
    url: sinks.url(path),
    http_timeout: 5,
    ...extra,
  });
  await api.call('POST', `/api/v1/projects/${p.id}/subscriptions`, p.key, { name: `sub-${path}`, endpoint_id: ep.uid, filter_config: { event_types: ['*'] } });
  sinks.register(path, ep.secrets[ep.secrets.length - 1].value, ep.advanced_signatures);
  return ep.uid;
}

async function apiMetrics(c: ScaleCluster, role: 'api-1' | 'api-2'): Promise<{ replica: number; primary: number; healthy: boolean }> {
  const res = await fetch(`http://127.0.0.1:${c.ports[role]}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }).catch(() => undefined);
  const text = res?.ok ? await res.text() : '';
  const count = (target: string): number => Number(new RegExp(`caravan_db_read_route_reads_total\\{target="${target}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { replica: count('replica'), primary: count('primary'), healthy: /caravan_db_replica_healthy\{[^}]*\} 1\b/.test(text) };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const c = new ScaleCluster();
  const pidNames = (): Map<number, string> => {
    const m = new Map<number, string>([[process.pid, 'harness']]);
    for (const role of ROLES) {
      const pid = c.pid(role);
      if (pid) m.set(pid, role);
    }
    return m;
  };
  // a role's pid, also after it was killed: owners seen before a kill still name it
  const everPid = new Map<number, string>();
  const sinks = new Sinks(join(c.dir, 'receipts.jsonl'), pidNames);
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await sinks.stop().catch(() => undefined);
      await c.close(args.keep).catch(() => undefined);
    })());
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`${sig}: cleaning up`);
    c.killAllNow();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // a bug in the harness must not leave a dozen servers running
  const onCrash = (e: unknown): void => {
    log(`harness error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    c.killAllNow();
    process.exit(2);
  };
  process.once('uncaughtException', onCrash);
  process.once('unhandledRejection', onCrash);
  const watchdog = setTimeout(() => {
    log(`run exceeded its budget of ${args.budgetMs / 60_000} min`);
    void cleanup().finally(() => process.exit(3));
  }, args.budgetMs);
  watchdog.unref();

  const started = Date.now();
  const timeline: Timeline[] = [];
  const mark = (what: string): void => {
    timeline.push({ at: Date.now(), what });
    log(`  ${what}`);
  };
  const scores: FaultScore[] = [];
  let rl: RateLimitScore | undefined;
  let cb: BreakerScore | undefined;
  const reads: ReadScore = { calls: 0, byStatus: new Map(), staleBeyondBound: 0, staleWithinBound: 0 };
  const answers: GatewayAnswers = { gateway: 0, unavailable: 0 };
  let failoverMs = 0;
  let replicaUse: { replica: number; primary: number; healthy: boolean }[] = [];
  let longestGap = { ms: 0, after: '' };
  let latency = { p50: 0, p99: 0, max: 0 };
  const skips = new Map<string, number>();
  let db: Client | undefined;
  try {
    log(`private world in ${c.dir} (${args.size}: ${args.n} events over ${args.loadMs / 1000} s)`);
    await sinks.start();
    c.sinkPorts = [sinks.port];
    await sinks.selfTest();
    await c.start();
    await c.startNginx();
    for (const role of ROLES) {
      await c.startRole(role);
      everPid.set(c.pid(role) ?? 0, role);
    }
    log(
      `postgres :${c.pg.primaryPort} (replica :${c.pg.replicaPort}), redis :${c.ports['redis-a']} (replica :${c.ports['redis-b']}), sentinels :${c.ports['sentinel-1']},:${c.ports['sentinel-2']},:${c.ports['sentinel-3']}, nginx :${c.ports.lb}, sinks :${sinks.port}`,
    );
    const api = new ApiClient(c.lbUrl, c.adminKey);
    db = new Client({ connectionString: c.primaryUrl, application_name: 'scale-checker' });
    await db.connect();
    const runId = `run${Date.now().toString(36)}`;
    const allSent = new Map<string, SentEvent>();

    // ---------------------------------------------------------------- S1: durability while parts die
    const p1 = await api.project('scale-S1', { duration: 1, retry_count: 30 });
    for (const n of ['a', 'b']) await createEndpoint(api, p1, sinks, `S1/${n}`, {});
    const events = newEvents('S1', runId, args.n, ['S1/a', 'S1/b']);
    for (const e of events) allSent.set(e.fid, e);
    const owners = new OwnerSampler(db, (pid) => everPid.get(pid) ?? `pid ${pid}`);
    owners.start([p1.id]);
    let share = 0;
    const reach = (s: number): Promise<unknown> => until(`load to reach ${s}`, () => share >= s, 10 * 60_000, 20);
    let loadDone = false;
    const reader = Promise.all([0, 1].map(() => readLoop(c.lbUrl, p1, events, READ_BOUND_MS, () => loadDone, reads)));
    const restart = async (role: RoleName, downMs: number): Promise<void> => {
      await c.kill(role);
      mark(`kill -9 ${role}`);
      await sleep(downMs);
      await c.startRole(role);
      everPid.set(c.pid(role) ?? 0, role);
      mark(`${role} back`);
    };
    // each cycle kills one api, one worker, the Redis master and the PostgreSQL replica while the load runs;
    // a killed role restarts in the background so the next fault does not wait for its start-up
    const cycles = args.size === 'full' ? 2 : 1;
    const restartFailures: string[] = [];
    const inject = (async () => {
      const restarts: Promise<void>[] = [];
      for (let k = 0; k < cycles; k++) {
        const at = (x: number): number => (k + x) / cycles;
        await reach(at(0.1));
        restarts.push(restart(k % 2 === 0 ? 'api-1' : 'api-2', 2000).catch((e: Error) => void restartFailures.push(e.message)));
        await reach(at(0.25));
        restarts.push(restart(k % 2 === 0 ? 'worker-1' : 'worker-2', 2000).catch((e: Error) => void restartFailures.push(e.message)));
        await reach(at(0.4));
        mark('kill -9 redis master');
        const { promotedInMs } = await c.failoverRedis(log);
        failoverMs = Math.max(failoverMs, promotedInMs);
        mark(`redis failover done in ${promotedInMs} ms`);
        await reach(at(0.6));
        await c.pg.stopReplica();
        mark('postgres replica stopped (-m immediate)');
        await sleep(Math.min(8000, args.loadMs / cycles / 5));
        await c.pg.startReplica();
        mark('postgres replica back');
      }
      await Promise.all(restarts);
    })();
    log(`S1: sending ${events.length} events through nginx over ${args.loadMs / 1000} s`);
    const loaded = runLoad(api, p1, events, {
      durationMs: args.loadMs,
      concurrency: 16,
      send: (ev) => sendThroughLb(c.lbUrl, p1, ev, '/events/broadcast', {}, answers),
      onProgress: (s) => (share = Math.max(share, s)),
    }).finally(() => (share = 1));
    const [inj, load] = await Promise.allSettled([inject, loaded]);
    loadDone = true;
    await reader;
    for (const role of ROLES) if (!c.isRunning(role)) await c.startRole(role);
    if (inj.status === 'rejected') throw inj.reason;
    if (load.status === 'rejected') throw load.reason;
    const drainMs = await drain(sinks, db, 'S1', p1.id, events);
    await owners.stop();
    const s1 = await score('S1', p1.id, events, allSent, sinks.receipts, db, drainMs);
    const s1Owners = owners.owners.get(p1.id) ?? new Set();
    s1.notes.push(`workers that held leases: ${[...s1Owners].sort().join(', ')}`);
    // a send the receiver answered but the worker gave up on (its deadline passed first) is retried: at-least-once
    const timedOut = Number(
      (await db.query<{ n: string }>(`SELECT count(*) AS n FROM delivery_attempts WHERE project_id = $1 AND NOT status AND error_class = 'timeout'`, [p1.id]))
        .rows[0].n,
    );
    const afterTimeout = Math.min(timedOut, s1.duplicated);
    const rest = s1.duplicated - afterTimeout;
    s1.notes.push(
      `duplicates: ${afterTimeout} re-sends after an attempt that timed out on the worker's side although the sink had it (${timedOut} timed-out attempts), ${rest} re-sends of the killed worker's unrecorded sends`,
    );
    const bound = IN_FLIGHT_PER_WORKER * cycles;
    if (rest > bound) s1.failures.push(`${rest} duplicates not explained by timed-out attempts, more than worker concurrency × worker kills (${bound})`);
    const badReads = [...reads.byStatus.entries()].filter(([st]) => st !== 200 && st !== 404);
    if (badReads.length) s1.failures.push(`reads through nginx answered ${badReads.map(([st, n]) => `${n}× ${st}`).join(', ')}`);
    if (reads.staleBeyondBound) s1.failures.push(`${reads.staleBeyondBound} reads missed an event acknowledged more than ${READ_BOUND_MS} ms before`);
    for (const crash of c.crashes) s1.failures.push(crash);
    for (const f of restartFailures) s1.failures.push(`a killed role did not come back: ${f}`);
    // the longest pause at the sinks during the load, and what happened just before it
    const times = sinks.receipts
      .filter((r) => r.eventId.startsWith('S1-'))
      .map((r) => r.at)
      .sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) {
      const gap = times[i] - times[i - 1];
      if (gap > longestGap.ms) {
        const before = timeline.filter((t) => t.at <= times[i - 1]).pop();
        longestGap = { ms: gap, after: before ? `${before.what} (${times[i - 1] - before.at} ms after it)` : 'start' };
      }
    }
    // the replica is back and caught up by now: every api process must be reading from it again
    await until(
      'both api processes to use the replica again',
      async () => (await Promise.all((['api-1', 'api-2'] as const).map((r) => apiMetrics(c, r)))).every((m) => m.healthy),
      30_000,
      500,
    ).catch(() => s1.failures.push('an api process did not take the restarted replica back within 30 s'));
    replicaUse = [await apiMetrics(c, 'api-1'), await apiMetrics(c, 'api-2')];
    latency = latencies(events, sinks);
    for (const role of ['api-1', 'api-2'] as const) {
      for (const line of c.logTail(role, 100_000).split('\n')) {
        const m = /skipped, the primary serves its reads: ([^:("]+)/.exec(line);
        const reason = m?.[1].replace(/\d+/g, 'N').trim();
        if (reason) skips.set(reason, (skips.get(reason) ?? 0) + 1);
      }
    }
    scores.push(s1);
    log(`S1: ${s1.failures.length ? `FAIL: ${s1.failures.join('; ')}` : 'pass'}`);

    // ---------------------------------------------------------------- S2: one rate limit across both workers
    const limit = 10;
    const durationS = 2;
    const p2 = await api.project('scale-S2', { duration: 1, retry_count: 30 });
    await createEndpoint(api, p2, sinks, 'S2/limited', { rate_limit: limit, rate_limit_duration: durationS });
    // a slow answer keeps each delivery Processing long enough for the owner sampler to see who sent it
    sinks.setBehaviour('S2/limited', () => ({ status: 200, delayMs: 200 }));
    const rlEvents = newEvents('S2', runId, args.size === 'full' ? 150 : 60, ['S2/limited']);
    for (const e of rlEvents) allSent.set(e.fid, e);
    const owners2 = new OwnerSampler(db, (pid) => everPid.get(pid) ?? `pid ${pid}`);
    owners2.start([p2.id]);
    log(`S2: ${rlEvents.length} events to an endpoint limited to ${limit} per ${durationS} s`);
    await runLoad(api, p2, rlEvents, { durationMs: 2000, concurrency: 8, send: (ev) => sendThroughLb(c.lbUrl, p2, ev, '/events/broadcast', {}, answers) });
    const rlDrain = await drain(sinks, db, 'S2', p2.id, rlEvents);
    await owners2.stop();
    const s2 = await score('S2', p2.id, rlEvents, allSent, sinks.receipts, db, rlDrain);
    rl = scoreRateLimit(
      sinks.receipts.filter((r) => r.endpoint === 'S2/limited'),
      limit,
      durationS * 1000,
      (owners2.owners.get(p2.id) ?? new Set()).size,
    );
    s2.failures.push(...rl.failures);
    s2.notes.push(`redis servers: ${await c.redisPicture()}`);
    s2.notes.push(`workers that held leases: ${[...(owners2.owners.get(p2.id) ?? [])].sort().join(', ')}`);
    scores.push(s2);
    log(`S2: ${s2.failures.length ? `FAIL: ${s2.failures.join('; ')}` : 'pass'}`);

    // ---------------------------------------------------------------- S3: one circuit breaker across both workers
    const errorTimeoutS = 4;
    const p3 = await api.project(
      'scale-S3',
      { duration: 1, retry_count: 40 },
      { error_timeout: errorTimeoutS, sample_rate: 1, observability_window: 1, minimum_request_count: 10, failure_threshold: 50, success_threshold: 1 },
    );
    const cbId = await createEndpoint(api, p3, sinks, 'S3/failing', {});
    let healthyAt = Number.POSITIVE_INFINITY;
    sinks.setBehaviour('S3/failing', () => ({ status: Date.now() < healthyAt ? 500 : 200 }));
    const cbEvents = newEvents('S3', runId, args.size === 'full' ? 300 : 120, ['S3/failing']);
    for (const e of cbEvents) allSent.set(e.fid, e);
    const owners3 = new OwnerSampler(db, (pid) => everPid.get(pid) ?? `pid ${pid}`);
    owners3.start([p3.id]);
    const openings = new Set<number>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const reply = await c.masterCommand(['HGETALL', `scale:eh:${cbId}:cb`]).catch(() => '');
        const parts = reply.split('\r\n').filter((l) => !/^[*$]/.test(l));
        const h = new Map<string, string>();
        for (let i = 0; i + 1 < parts.length; i += 2) h.set(parts[i], parts[i + 1]);
        if (h.get('phase') === 'open' && Number(h.get('opened_at'))) openings.add(Number(h.get('opened_at')));
        await sleep(50);
      }
    })();
    log(`S3: ${cbEvents.length} events to an endpoint that fails for 12 s (breaker: 50 % of ≥ 10, open ${errorTimeoutS} s)`);
    await runLoad(api, p3, cbEvents, { durationMs: 4000, concurrency: 8, send: (ev) => sendThroughLb(c.lbUrl, p3, ev, '/events/broadcast', {}, answers) });
    await sleep(8000);
    healthyAt = Date.now();
    log('S3: the endpoint answers 200 from now on');
    const cbDrain = await drain(sinks, db, 'S3', p3.id, cbEvents);
    watching = false;
    await watcher;
    await owners3.stop();
    const s3 = await score('S3', p3.id, cbEvents, allSent, sinks.receipts, db, cbDrain);
    cb = scoreBreaker(
      sinks.receipts.filter((r) => r.endpoint === 'S3/failing' && r.at < healthyAt),
      [...openings].sort((a, b) => a - b),
      errorTimeoutS * 1000,
      (owners3.owners.get(p3.id) ?? new Set()).size,
    );
    s3.failures.push(...cb.failures);
    s3.notes.push(`workers that held leases: ${[...(owners3.owners.get(p3.id) ?? [])].sort().join(', ')}`);
    scores.push(s3);
    log(`S3: ${s3.failures.length ? `FAIL: ${s3.failures.join('; ')}` : 'pass'}`);
    await respCall(c.ports['sentinel-1'], ['PING']);
  } catch (e) {
    log(`the run broke: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    for (const role of [...ROLES, 'nginx']) log(`--- ${role} log tail ---\n${c.logTail(role)}`);
    await db?.end().catch(() => undefined);
    await cleanup();
    return 2;
  }
  await db.end().catch(() => undefined);
  await cleanup();

  const out = process.stdout;
  out.write(`\n${formatTable(scores)}\n\n`);
  for (const s of scores) {
    for (const n of s.notes) out.write(`${s.fault}: ${n}\n`);
    for (const f of s.failures) out.write(`${s.fault}: FAIL ${f}\n`);
  }
  out.write(`\nfaults during S1: ${timeline.map((t) => t.what).join('; ')}\n`);
  out.write(`redis failover: Sentinel promoted the replica ${failoverMs} ms after the master was killed\n`);
  out.write(`S1 ack → last endpoint's 2xx: p50 ${latency.p50} ms, p99 ${latency.p99} ms, max ${latency.max} ms\n`);
  out.write(`replica taken out by the api processes' probes: ${skips.size ? [...skips.entries()].map(([r, n]) => `${n}× "${r}…"`).join(', ') : 'never'}\n`);
  out.write(`longest pause at the sinks during S1: ${longestGap.ms} ms, after ${longestGap.after}\n`);
  out.write(`producer: ${answers.gateway} answers 502/504 from nginx, ${answers.unavailable} answers 503 from Caravan (all retried with the same key)\n`);
  out.write(
    `reads through nginx: ${reads.calls} (${[...reads.byStatus.entries()].map(([st, n]) => `${n}× ${st}`).join(', ')}); 404 for an event acknowledged < ${READ_BOUND_MS} ms before: ${reads.staleWithinBound}, older: ${reads.staleBeyondBound}\n`,
  );
  out.write(
    `read-route reads by database (api-1, api-2, counted since each one's last start): ${replicaUse.map((u) => `replica ${u.replica} / primary ${u.primary}, replica in use at the end: ${u.healthy ? 'yes' : 'no'}`).join('; ')}\n`,
  );
  if (rl)
    out.write(
      `rate limit ${rl.limit}/${rl.durationMs / 1000} s across ${rl.workers} workers: ${rl.sends} sends, at most ${rl.maxPerWindow} in any ${rl.durationMs / 1000} s window (ceiling ${rl.windowCeiling}), ${rl.steadyPerSecond.toFixed(2)}/s after the burst (limit ${rl.limitPerSecond.toFixed(2)}/s)\n`,
    );
  if (cb)
    out.write(
      `breaker across ${cb.workers} workers: opened ${cb.trips} times, ${cb.sendsWhileOpen} sends in ${(cb.openMs / 1000).toFixed(1)} s of open time\n`,
    );
  const failed = scores.some((s) => s.failures.length > 0);
  out.write(`\n${failed ? 'FAILED' : 'PASSED'} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
