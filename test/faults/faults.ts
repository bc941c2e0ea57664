import { Client } from 'pg';
import { allDelivered, FaultScore, indexReceipts, score } from './checker';
import { Infra, sleep, until } from './infra';
import { AmqpPublisher, amqpSource, BrokerSource } from './broker-load';
import { ApiClient, IngestSource, newEvents, Project, runLoad, sendEvent, SentEvent, sendWebhook } from './load';
import type { Behaviour, Receipt, Sinks } from './sink';

export interface Ctx {
  infra: Infra;
  api: ApiClient;
  sinks: Sinks;
  db: () => Promise<Client>;
  runId: string;
  /** events per fault */
  n: number;
  /** how long the load of one fault lasts */
  loadMs: number;
  allSent: Map<string, SentEvent>;
  log: (line: string) => void;
}

/** Lease of the suite's endpoints: http_timeout 5 s + DELIVERY_LEASE_GRACE_MS 2 s. */
export const LEASE_MS = 7000;
const SWEEP_MS = 500;
/** the sweeper leaves work younger than this to the job its producer enqueued */
const SWEEPER_GRACE_MS = 2000;
/** scheduling noise of a 2-core machine running every role, both databases and the load */
const SLACK_MS = 2000;
const DRAIN_LIMIT_MS = 120_000;

/** Lets an injector wait until the load has reached a share of its events. */
class Progress {
  share = 0;
  async reach(share: number): Promise<void> {
    await until(`load to reach ${Math.round(share * 100)} %`, () => this.share >= share, 10 * 60_000, 20);
  }
}

interface Spec {
  name: string;
  strategy?: { duration: number; retry_count: number };
  breaker?: Record<string, number>;
  /** behaviour of the fault's two regular endpoints */
  behaviour?: Behaviour;
  /** the load comes in as signed webhooks to a source's /ingest URL instead of API broadcasts */
  incoming?: boolean;
  /** the load is published to a RabbitMQ queue that a pub/sub source consumes */
  brokered?: boolean;
  /** runs alongside the load and injects the fault; must leave every part running */
  inject: (c: Ctx, progress: Progress, f: FaultWorld) => Promise<void>;
  /** checks of its own after the drain, as failure messages */
  verify?: (c: Ctx, f: FaultWorld, s: FaultScore) => Promise<void>;
}

export interface FaultWorld {
  project: Project;
  source?: IngestSource;
  broker?: { source: BrokerSource; publisher: AmqpPublisher };
  endpoints: Map<string, string>;
  events: SentEvent[];
  loadStartedAt: number;
}

async function setUp(c: Ctx, spec: Spec): Promise<FaultWorld> {
  const strategy = spec.strategy ?? { duration: 1, retry_count: 30 };
  let project: Project;
  let source: IngestSource | undefined;
  if (spec.incoming) ({ source, ...project } = await c.api.incomingProject(`faults-${spec.name}`, strategy));
  else project = await c.api.project(`faults-${spec.name}`, strategy, spec.breaker);
  const endpoints = new Map<string, string>();
  for (const name of ['a', 'b']) {
    const path = `${spec.name}/${name}`;
    const ep = await c.api.endpoint(project, path, c.sinks.url(path), ['*'], source?.id);
    c.sinks.register(path, ep.secret, ep.advanced, spec.behaviour);
    endpoints.set(path, ep.uid);
  }
  const events = newEvents(spec.name, c.runId, c.n, [...endpoints.keys()]);
  for (const e of events) c.allSent.set(e.fid, e);
  let broker: FaultWorld['broker'];
  if (spec.brokered) {
    const publisher = await AmqpPublisher.open();
    broker = { source: await amqpSource(c.api, project, `caravan-faults-${c.runId}-${spec.name}`), publisher };
  }
  return { project, source, broker, endpoints, events, loadStartedAt: 0 };
}

/** The parts a fault may have taken down come back before the drain is timed. */
async function healAll(c: Ctx): Promise<void> {
  for (const role of ['egress', 'worker', 'api'] as const) if (!c.infra.isRunning(role)) await c.infra.startRole(role);
}

export async function runFault(c: Ctx, spec: Spec): Promise<FaultScore> {
  c.log(`${spec.name}: setting up`);
  const f = await setUp(c, spec);
  const progress = new Progress();
  const crashesBefore = c.infra.crashes.length;
  f.loadStartedAt = Date.now();
  c.log(`${spec.name}: sending ${f.events.length} events over ${c.loadMs / 1000} s`);
  const injected = spec.inject(c, progress, f);
  const loaded = runLoad(c.api, f.project, f.events, {
    durationMs: c.loadMs,
    concurrency: 16,
    send: (ev) =>
      f.broker
        ? f.broker.publisher.publish(f.broker.source.queue, ev)
        : f.source
          ? sendWebhook(c.api, f.source, ev, () => false)
          : sendEvent(c.api, f.project, ev, '/events/broadcast', {}, () => false),
    onProgress: (share) => (progress.share = Math.max(progress.share, share)),
  }).finally(() => {
    // injectors waiting for a share the load never reached go on and finish
    progress.share = 1;
  });
  // both run to the end even if one throws, so no fault is left half-injected
  const [inj, load] = await Promise.allSettled([injected, loaded]);
  await healAll(c);
  if (inj.status === 'rejected') throw inj.reason;
  if (load.status === 'rejected') throw load.reason;

  const healedAt = Date.now();
  const catchUpMs = catchUpAt(f, healedAt, c.sinks.receipts);
  let drainMs: number | undefined;
  const db = await c.db();
  try {
    let idleChecks = 0;
    let lastCheck = 0;
    let gaveUp = false;
    await until(
      `${spec.name} to drain`,
      async () => {
        if (allDelivered(f.events, indexReceipts(c.sinks.receipts.filter((r) => r.eventId.startsWith(`${spec.name}-`))))) return true;
        // stop early when PostgreSQL says nothing is left to do: the rest is lost for good
        if (Date.now() - lastCheck < 1000) return false;
        lastCheck = Date.now();
        const waiting = f.broker ? await f.broker.publisher.waiting(f.broker.source.queue) : 0;
        idleChecks = (await pendingWork(db, f.project.id)) + waiting === 0 ? idleChecks + 1 : 0;
        gaveUp = idleChecks >= 5;
        return gaveUp;
      },
      DRAIN_LIMIT_MS,
      50,
    );
    drainMs = gaveUp ? undefined : Date.now() - healedAt;
  } catch {
    drainMs = undefined;
  }
  try {
    // The last attempt rows are written just after the sink answered, and a killed worker's
    // deliveries stay Processing until their lease runs out and the sweeper gives them back.
    // So the wait follows the leases: it goes on while any Processing lease is still running
    // or ran out only recently (the sweeper's turn is coming), and stops when there is none
    // left or one ran out long ago: that is a stuck lease, which the score reports as such.
    await waitForLeases(db, f.project.id);
    const s = await score(spec.name, f.project.id, f.events, c.allSent, c.sinks.receipts, db, drainMs);
    s.catchUpMs = catchUpMs;
    if (spec.verify) await spec.verify(c, f, s);
    for (const crash of c.infra.crashes.slice(crashesBefore)) s.failures.push(crash);
    if (f.broker) {
      await c.api.call('DELETE', `/api/v1/projects/${f.project.id}/sources/${f.broker.source.id}`, f.project.key).catch(() => undefined);
      await f.broker.publisher.close(f.broker.source.queue);
    }
    c.log(`${spec.name}: ${s.failures.length ? `FAIL: ${s.failures.join('; ')}` : 'pass'}${s.notes.length ? ` (${s.notes.join('; ')})` : ''}`);
    return s;
  } finally {
    await db.end();
  }
}

/**
 * The time the deliveries still missing when the load ended need at the pace the sinks saw
 * until then (0 when nothing had arrived yet): what a busy machine adds to a recovery.
 */
function catchUpAt(f: FaultWorld, at: number, receipts: Receipt[]): number {
  const byKey = indexReceipts(receipts.filter((r) => r.eventId.startsWith(`${f.events[0]?.fault ?? ''}-`) && r.at <= at));
  let expected = 0;
  let delivered = 0;
  for (const e of f.events) {
    if (!e.acked) continue;
    for (const ep of e.endpoints) {
      expected++;
      if ((byKey.get(`${e.fid} ${ep}`) ?? []).some((r) => r.status >= 200 && r.status < 300)) delivered++;
    }
  }
  const elapsed = at - f.loadStartedAt;
  return delivered > 0 && elapsed > 0 ? ((expected - delivered) * elapsed) / delivered : 0;
}

/** How long after a lease ran out the sweeper must have given the delivery back. */
const STUCK_LEASE_MS = SWEEPER_GRACE_MS + 10 * SWEEP_MS + 10_000;
/** An upper bound on the wait, however long leases keep being renewed. */
const MAX_SETTLE_MS = 5 * 60_000;

async function waitForLeases(db: Client, projectId: string): Promise<void> {
  const deadline = Date.now() + MAX_SETTLE_MS;
  while (Date.now() < deadline) {
    const r = await db.query<{ n: string; overdue_ms: number | null }>(
      `SELECT count(*) AS n, (extract(epoch FROM now() - min(lease_until)) * 1000)::int AS overdue_ms
       FROM event_deliveries WHERE project_id = $1 AND status = 'Processing'`,
      [projectId],
    );
    if (r.rows[0].n === '0') return;
    if ((r.rows[0].overdue_ms ?? 0) > STUCK_LEASE_MS) return;
    await sleep(100);
  }
}

async function pendingWork(db: Client, projectId: string): Promise<number> {
  const r = await db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM event_deliveries WHERE project_id = $1 AND status IN ('Scheduled', 'Retry', 'Processing'))
          + (SELECT count(*) FROM events WHERE project_id = $1 AND routed_at IS NULL) AS n`,
    [projectId],
  );
  return Number(r.rows[0].n);
}

async function restartAfter(c: Ctx, role: 'api' | 'worker' | 'egress', downMs: number): Promise<void> {
  await c.infra.kill(role);
  c.log(`  kill -9 ${role}`);
  await sleep(downMs);
  await c.infra.startRole(role);
  c.log(`  ${role} back`);
}

/** Sends one worker can have in flight: WORKER_CONCURRENCY first attempts plus half as many retries. */
const IN_FLIGHT_PER_WORKER = 20 + 10;

/** A killed worker can leave at most its in-flight sends unrecorded, so each kill adds at most that many duplicates. */
function duplicatesBound(kills: number): (s: FaultScore) => void {
  return (s) => {
    const bound = IN_FLIGHT_PER_WORKER * kills;
    if (s.duplicated > bound) s.failures.push(`${s.duplicated} duplicates, more than worker concurrency × kills (${bound})`);
  };
}

const F1: Spec = {
  name: 'F1',
  inject: async (c, p) => {
    for (const share of [0.25, 0.5, 0.75]) {
      await p.reach(share);
      await restartAfter(c, 'worker', 2000);
    }
  },
  verify: (_c, _f, s) => {
    // measured from the end of the load, which comes after the last restart
    const bound = LEASE_MS + 2 * SWEEP_MS + SLACK_MS + s.catchUpMs;
    if (s.drainMs !== undefined && s.drainMs > bound)
      s.failures.push(
        `drained in ${s.drainMs} ms, beyond lease + 2 sweeps (+${SLACK_MS} ms slack) + ${Math.round(s.catchUpMs)} ms for the backlog at the pace so far = ${Math.round(bound)} ms`,
      );
    duplicatesBound(3)(s);
    return Promise.resolve();
  },
};

const F2: Spec = {
  name: 'F2',
  inject: async (c, p, f) => {
    const slow = 'F2/slow';
    const ep = await c.api.endpoint(f.project, slow, c.sinks.url(slow), ['fault.slow']);
    // the first two sends hang until the worker dies; the third is slow but answered
    c.sinks.register(slow, ep.secret, ep.advanced, ({ attempt }) => (attempt <= 2 ? { status: 200, hold: true } : { status: 200, delayMs: 1000 }));
    f.endpoints.set(slow, ep.uid);
    const ev = newEvents('F2', c.runId, 1, [slow])[0];
    ev.fid = 'F2-slow';
    ev.idempotencyKey = `${c.runId}-F2-slow`;
    f.events.push(ev);
    c.allSent.set(ev.fid, ev);
    await p.reach(0.2);
    await sendEvent(c.api, f.project, ev, '/events', { endpoint_id: ep.uid, event_type: 'fault.slow' }, () => false);
    for (let i = 0; i < 2; i++) {
      await until('the worker to hold the slow delivery', () => c.sinks.heldCount() > 0, 60_000, 20);
      await restartAfter(c, 'worker', 2000);
    }
  },
  verify: async (c, f, s) => {
    const db = await c.db();
    try {
      const uid = [...(f.events.find((e) => e.fid === 'F2-slow')?.uids ?? [])][0];
      const rows = await db.query<{ id: string; status: string; generation: number; attempts: number }>(
        'SELECT id, status, generation, attempts FROM event_deliveries WHERE event_id = $1',
        [uid],
      );
      const d = rows.rows[0];
      const got = c.sinks.receipts.filter((r) => r.eventId === 'F2-slow');
      s.notes.push(`slow delivery: ${d?.status ?? 'missing'}, generation ${d?.generation ?? '-'}, ${got.length} sends`);
      if (!d || d.status !== 'Success') s.failures.push(`the slow delivery ended ${d?.status ?? 'missing'}, not Success`);
      else if (d.generation < 2) s.failures.push(`the slow delivery was not re-dispatched under new job ids (generation ${d.generation})`);
      if (new Set(got.map((r) => r.deliveryId)).size !== 1) s.failures.push('the slow delivery changed delivery id between sends');
      if (got.length < 3) s.failures.push(`the slow delivery was sent ${got.length} times; expected the two held sends and a third`);
      duplicatesBound(2)(s);
    } finally {
      await db.end();
    }
  },
};

/** Events acknowledged while Redis was away wait for it, then at most the sweeper's grace and two sweeps. */
function backlogBound(downMs: number): (c: Ctx, f: FaultWorld, s: FaultScore) => Promise<void> {
  return (_c, _f, s) => {
    const bound = downMs + SWEEPER_GRACE_MS + 2 * SWEEP_MS + SLACK_MS + s.catchUpMs;
    if (s.maxLatencyMs > bound)
      s.failures.push(
        `an event took ${s.maxLatencyMs} ms to be delivered, beyond Redis' downtime + grace + 2 sweeps (+${SLACK_MS} ms slack) + ${Math.round(s.catchUpMs)} ms for the backlog at the pace so far = ${Math.round(bound)} ms`,
      );
    return Promise.resolve();
  };
}

const REDIS_DOWN_MS = 3000;
const F3: Spec = {
  name: 'F3',
  verify: backlogBound(REDIS_DOWN_MS),
  inject: async (c, p) => {
    await p.reach(0.4);
    await c.infra.killRedis();
    c.log('  kill -9 redis');
    await sleep(REDIS_DOWN_MS);
    await c.infra.startRedis();
    c.log('  redis back, empty');
  },
};

const F4: Spec = {
  name: 'F4',
  verify: backlogBound(0),
  inject: async (c, p) => {
    await p.reach(0.5);
    await c.infra.redisCommand('FLUSHALL');
    c.log('  FLUSHALL');
  },
};

const F5: Spec = {
  name: 'F5',
  inject: async (c, p) => {
    await p.reach(0.15);
    const db = await c.db();
    let killed = 0;
    try {
      const stopAt = Date.now() + 2 * c.loadMs;
      while (p.share < 0.85 && Date.now() < stopAt) {
        const r = await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'caravan%' AND pid <> pg_backend_pid()`);
        killed += r.rowCount ?? 0;
        await sleep(2000);
      }
    } finally {
      await db.end();
    }
    c.log(`  terminated ${killed} backends`);
  },
};

const F6: Spec = {
  name: 'F6',
  inject: async (c, p) => {
    await p.reach(0.4);
    await c.infra.stopPostgresImmediate();
    c.log('  postgres stopped (-m immediate)');
    await sleep(3000);
    await c.infra.startPostgres();
    c.log('  postgres back');
  },
};

const F7: Spec = {
  name: 'F7',
  inject: async (c, p) => {
    for (const share of [0.33, 0.66]) {
      await p.reach(share);
      await restartAfter(c, 'api', 1000);
    }
  },
};

const F8_DURATION_S = 2;
let f8HealthyAt = Number.POSITIVE_INFINITY;
const F8: Spec = {
  name: 'F8',
  strategy: { duration: F8_DURATION_S, retry_count: 30 },
  // the retry schedule is under test, so the breaker must not hold the failing endpoint back
  breaker: { minimum_request_count: 100_000 },
  behaviour: () => ({ status: Date.now() < f8HealthyAt ? 500 : 200 }),
  inject: async (c, p) => {
    f8HealthyAt = Number.POSITIVE_INFINITY;
    await p.reach(0.6);
    await sleep(2000);
    f8HealthyAt = Date.now();
    c.log('  sinks answer 200 from now on');
  },
  verify: async (c, f, s) => {
    const want = F8_DURATION_S * 1000;
    const summary = (gaps: number[]): string => {
      const q = (x: number): number => gaps[Math.min(gaps.length - 1, Math.floor(x * gaps.length))] ?? 0;
      return `min ${gaps[0] ?? 0} ms, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${gaps[gaps.length - 1] ?? 0} ms`;
    };
    // as the receivers saw it: arrival of each request of a delivery
    const byDelivery = new Map<string, number[]>();
    for (const r of c.sinks.receipts) {
      if (!r.endpoint.startsWith('F8/')) continue;
      const k = `${r.endpoint} ${r.deliveryId}`;
      byDelivery.set(k, [...(byDelivery.get(k) ?? []), r.at]);
    }
    const seen = gapsOf([...byDelivery.values()]);
    // as Caravan recorded it: the start of each attempt
    const db = await c.db();
    let recorded: number[];
    try {
      const rows = await db.query<{ event_delivery_id: string; t: string }>(
        `SELECT event_delivery_id, (extract(epoch FROM requested_at) * 1000)::bigint AS t FROM delivery_attempts WHERE project_id = $1`,
        [f.project.id],
      );
      const per = new Map<string, number[]>();
      for (const r of rows.rows) per.set(r.event_delivery_id, [...(per.get(r.event_delivery_id) ?? []), Number(r.t)]);
      recorded = gapsOf([...per.values()]);
    } finally {
      await db.end();
    }
    s.notes.push(`schedule ${want} ms; ${seen.length} retry gaps at the sinks: ${summary(seen)}; as recorded: ${summary(recorded)}`);
    if (seen.length === 0) s.failures.push('no retries observed');
    // receivers see the sender's timing through the network, so allow a little jitter there
    const earlySeen = seen.filter((g) => g < want - 250);
    if (earlySeen.length) s.failures.push(`${earlySeen.length} retries reached the sinks earlier than the ${want} ms schedule (min gap ${earlySeen[0]} ms)`);
    const earlyRecorded = recorded.filter((g) => g < want - 5);
    if (earlyRecorded.length) s.failures.push(`${earlyRecorded.length} attempts started earlier than the ${want} ms schedule (min gap ${earlyRecorded[0]} ms)`);
  },
};

function gapsOf(series: number[][]): number[] {
  const gaps: number[] = [];
  for (const times of series) {
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) gaps.push(times[i] - times[i - 1]);
  }
  return gaps.sort((a, b) => a - b);
}

const F9: Spec = {
  name: 'F9',
  // Convoy's default breaker: an outage of our own proxy must not trip the endpoints' breakers
  breaker: { error_timeout: 30, sample_rate: 30 },
  inject: async (c, p) => {
    await p.reach(0.3);
    await c.infra.kill('egress');
    c.log('  kill -9 egress');
    await sleep(6000);
    await c.infra.startRole('egress');
    c.log('  egress back');
  },
  verify: async (c, f, s) => {
    const db = await c.db();
    try {
      const rows = await db.query<{ event_delivery_id: string; n: string }>(
        `SELECT event_delivery_id, count(*) AS n FROM delivery_attempts WHERE project_id = $1 AND error_class = 'proxy_unavailable' GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
        [f.project.id],
      );
      const total = await db.query<{ n: string }>(`SELECT count(*) AS n FROM delivery_attempts WHERE project_id = $1 AND error_class = 'proxy_unavailable'`, [
        f.project.id,
      ]);
      s.notes.push(`${total.rows[0].n} attempts failed proxy_unavailable`);
      const sample = rows.rows[0];
      if (!sample) {
        s.failures.push('no attempt failed with proxy_unavailable while the proxy was down');
      } else {
        const attempts = await c.api.call<{ error_class: string }[]>(
          'GET',
          `/api/v1/projects/${f.project.id}/eventdeliveries/${sample.event_delivery_id}/deliveryattempts`,
          f.project.key,
        );
        if (!attempts.some((a) => a.error_class === 'proxy_unavailable')) s.failures.push('the API does not show proxy_unavailable among the attempts');
        const d = await c.api.call<{ status: string }>('GET', `/api/v1/projects/${f.project.id}/eventdeliveries/${sample.event_delivery_id}`, f.project.key);
        if (d.status !== 'Success') s.failures.push(`a delivery that failed proxy_unavailable ended ${d.status}`);
      }
    } finally {
      await db.end();
    }
    if (s.drainMs !== undefined && s.drainMs > 5000) s.failures.push(`took ${s.drainMs} ms to drain after the load, long after the proxy came back`);
    const direct = [...c.sinks.connections.entries()].filter(([who]) => who !== 'egress');
    s.notes.push(`sink connections by opener (whole run so far): ${[...c.sinks.connections.entries()].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (direct.length) s.failures.push(`connections to sinks not opened by the egress proxy: ${direct.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  },
};

/** Kills the api twice while a provider posts signed webhooks to /ingest: every 2xx is delivered, once per endpoint. */
const F10: Spec = {
  name: 'F10',
  incoming: true,
  inject: async (c, p) => {
    for (const share of [0.33, 0.66]) {
      await p.reach(share);
      await restartAfter(c, 'api', 1000);
    }
  },
  verify: async (c, f, s) => {
    const db = await c.db();
    try {
      const rows = await db.query<{ n: string; sourced: string }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE source_id = $2) AS sourced FROM events WHERE project_id = $1`,
        [f.project.id, f.source?.id],
      );
      const acked = f.events.filter((e) => e.acked).length;
      s.notes.push(`${rows.rows[0].n} event rows for ${acked} acknowledged webhooks`);
      if (rows.rows[0].n !== rows.rows[0].sourced) s.failures.push('events of the incoming project without its source');
      if (Number(rows.rows[0].n) > f.events.length)
        s.failures.push(`${rows.rows[0].n} event rows for ${f.events.length} webhooks: a retried webhook was stored twice`);
    } finally {
      await db.end();
    }
  },
};

/** Every published message is one event, counted by its broker message id, whatever the fault did. */
async function oneEventPerMessage(c: Ctx, f: FaultWorld, s: FaultScore): Promise<void> {
  const db = await c.db();
  try {
    const r = await db.query<{ n: string; ids: string; foreign: string }>(
      `SELECT count(*) AS n, count(DISTINCT broker_message_id) AS ids, count(*) FILTER (WHERE source_id IS DISTINCT FROM $2) AS foreign
         FROM events WHERE project_id = $1`,
      [f.project.id, f.broker?.source.id],
    );
    const { n, ids, foreign } = r.rows[0];
    const published = f.events.filter((e) => e.acked).length;
    s.notes.push(`${published} messages confirmed by RabbitMQ, ${n} event rows, ${ids} distinct message ids`);
    if (n !== ids) s.failures.push(`${Number(n) - Number(ids)} messages became more than one event`);
    if (Number(ids) !== published) s.failures.push(`${ids} events for ${published} confirmed messages`);
    if (foreign !== '0') s.failures.push(`${foreign} events of the project did not come from its source`);
  } finally {
    await db.end();
  }
}

/** Kills the worker twice while it consumes a RabbitMQ queue: every message ends as exactly one event, delivered. */
const F11: Spec = {
  name: 'F11',
  brokered: true,
  inject: async (c, p) => {
    for (const share of [0.33, 0.66]) {
      await p.reach(share);
      await restartAfter(c, 'worker', 2000);
    }
  },
  verify: async (c, f, s) => {
    await oneEventPerMessage(c, f, s);
    duplicatesBound(2)(s);
  },
};

/** Stops PostgreSQL while messages flow: nothing is acked while it is down, nothing lost, consumption resumes by itself. */
const F12: Spec = {
  name: 'F12',
  brokered: true,
  inject: async (c, p) => {
    await p.reach(0.4);
    await c.infra.stopPostgresImmediate();
    c.log('  postgres stopped (-m immediate)');
    await sleep(3000);
    await c.infra.startPostgres();
    c.log('  postgres back');
  },
  verify: oneEventPerMessage,
};

export const FAULTS: Spec[] = [F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12];
