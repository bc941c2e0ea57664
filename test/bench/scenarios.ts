import { performance } from 'node:perf_hooks';
import { redisClient, redisInfo } from './lib/children';
import { ladder, settle, step, StepResult } from './lib/ladder';
import { closedLoop, IngestTarget, LoadResult, paced, SeqSource } from './lib/load';
import { cpuMsTotal, drain, endToEnd, PhaseMeter, PhaseUsage } from './lib/measure';
import { ActivitySampler, deadTuples } from './lib/pg';
import { accountDeliveries, BenchSink, SinkMode } from './lib/sink';
import { median, sleep } from './lib/stats';
import type { Profile } from './profile';
import { row, ScenarioResult } from './report-types';
import { BaselineDeployment } from './systems/baseline';
import { CaravanDeployment } from './systems/caravan';
import type { Deployment, DeployOptions } from './systems/system';

export interface Ctx {
  profile: Profile;
  caravanDir: string;
  caravanEnv: Record<string, string>;
  statements: boolean;
  log: (s: string) => void;
  /** figures later scenarios compare with (S2 knee, S3 steps) */
  memo: Record<string, Record<Kind, unknown>>;
}

type Kind = 'caravan' | 'baseline';
const KINDS: Kind[] = ['caravan', 'baseline'];

/** Starts one system on its own database and prefix, runs `fn`, and always stops it. */
async function withSystem<T>(kind: Kind, opts: DeployOptions, fn: (dep: Deployment) => Promise<T>): Promise<T> {
  const dep = kind === 'caravan' ? new CaravanDeployment(opts) : new BaselineDeployment(opts);
  try {
    await dep.start();
    return await fn(dep);
  } finally {
    await dep.stop();
  }
}

async function withSink<T>(modes: SinkMode[], fn: (sink: BenchSink, urls: string[]) => Promise<T>): Promise<T> {
  const sink = new BenchSink();
  const urls = await sink.start(modes);
  try {
    return await fn(sink, urls);
  } finally {
    await sink.stop();
  }
}

const fast = (n: number): SinkMode[] => Array.from({ length: n }, () => ({ kind: 'fast' }));
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function perEvent(u: PhaseUsage, events: number): { cpuMs: number; xacts: number; rows: number; bytes: number; statements?: number } {
  const n = Math.max(1, events);
  return {
    cpuMs: cpuMsTotal(u) / n,
    xacts: u.pg ? u.pg.xacts / n : NaN,
    rows: u.pg ? (u.pg.inserted + u.pg.updated + u.pg.deleted) / n : NaN,
    bytes: u.pg ? u.pg.sizeBytes / n : NaN,
    statements: u.pg?.statements !== undefined ? u.pg.statements / n : undefined,
  };
}

function loadFailures(kind: Kind, label: string, r: LoadResult): string[] {
  return r.errors > 0.005 * r.sent ? [`${kind} ${label}: ${r.errors}/${r.sent} requests failed ${JSON.stringify(r.statuses)}`] : [];
}

async function warm(sink: BenchSink, target: IngestTarget, seqs: SeqSource, counted: number[]): Promise<void> {
  const r = await paced(target, { rate: 100, durationMs: 1000, run: 'warm', seqs });
  await drain(sink, 'warm', r.accepted, counted, 5000);
}

// S1 -----------------------------------------------------------------------------------

interface S1 {
  closed: number[];
  closedMedian: number;
  paced: LoadResult;
  per: ReturnType<typeof perEvent>;
  usage: PhaseUsage;
  failures: string[];
}

export async function s1(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s1;
  const out = {} as Record<Kind, S1>;
  for (const kind of KINDS) {
    out[kind] = await withSink(fast(1), (_sink, urls) =>
      withSystem(kind, { name: 's1', workers: false, workerConcurrency: ctx.profile.workerConcurrency, caravanDir: ctx.caravanDir, caravanEnv: ctx.caravanEnv }, async (dep) => {
        const target = await dep.addEndpoints([{ url: urls[0], timeoutS: 5 }]);
        const seqs = new SeqSource();
        await closedLoop(target, { concurrency: p.concurrency, durationMs: 1500, run: 'warm', seqs });
        const meter = new PhaseMeter(dep, ctx.statements, ctx.profile.pgSettleMs);
        await meter.start();
        const closed: number[] = [];
        const failures: string[] = [];
        let accepted = 0;
        for (let i = 0; i < p.runs; i++) {
          const r = await closedLoop(target, { concurrency: p.concurrency, durationMs: p.closedMs, run: `s1-closed-${i}`, seqs });
          closed.push(r.rate);
          accepted += r.ok;
          failures.push(...loadFailures(kind, 'S1 closed loop', r));
          ctx.log(`  ${kind} S1 closed loop run ${i + 1}: ${r.rate.toFixed(0)} events/s, p99 ${r.latency.p99.toFixed(1)} ms`);
        }
        const usage = await meter.stop();
        await sleep(1000);
        const pr = await paced(target, { rate: p.pacedRate, durationMs: p.pacedMs, run: 's1-paced', seqs });
        failures.push(...loadFailures(kind, 'S1 paced', pr));
        ctx.log(`  ${kind} S1 paced ${p.pacedRate}/s: p50 ${pr.latency.p50.toFixed(1)} p99 ${pr.latency.p99.toFixed(1)} ms, ${pr.ok}/${pr.sent} accepted`);
        return { closed, closedMedian: median(closed), paced: pr, per: perEvent(usage, accepted), usage, failures };
      }),
    );
  }
  const c = out.caravan;
  const b = out.baseline;
  const q = ctx.profile.quick;
  const ratio = c.closedMedian / b.closedMedian;
  const rows = [
    row('S1', 'accepted events/s, closed loop', 'ev/s', c.closedMedian, b.closedMedian, 'higher', '≥ 3,000 and ≥ 0.4× baseline', c.closedMedian >= 3000 && ratio >= 0.4, q && ratio < 0.15),
    row('S1', `ingest p50 at paced ${p.pacedRate}/s`, 'ms', c.paced.latency.p50, b.paced.latency.p50, 'lower'),
    row('S1', `ingest p99 at paced ${p.pacedRate}/s`, 'ms', c.paced.latency.p99, b.paced.latency.p99, 'lower', '≤ 25 ms', c.paced.latency.p99 <= 25),
    row('S1', 'CPU ms per accepted event (api+pg+redis)', 'ms', c.per.cpuMs, b.per.cpuMs, 'lower'),
    row('S1', 'PG transactions per event', '', c.per.xacts, b.per.xacts, 'lower'),
    row('S1', 'PG rows written per event', '', c.per.rows, b.per.rows, 'lower'),
    row('S1', 'PG database bytes per event', 'B', c.per.bytes, b.per.bytes, 'lower'),
  ];
  if (c.per.statements !== undefined && b.per.statements !== undefined) rows.push(row('S1', 'PG statements per event', '', c.per.statements, b.per.statements, 'lower'));
  return { id: 'S1', title: 'ingest only (workers stopped), 1 KiB JSON, durable ack', rows, failures: [...c.failures, ...b.failures], notes: [], raw: strip(out) };
}

// S2 / S6 ------------------------------------------------------------------------------

interface Deliver {
  pgActivity: Awaited<ReturnType<ActivitySampler['stop']>>;
  steps: StepResult[];
  knee: number;
  at300?: StepResult;
  lost: number;
  duplicates: number;
  expected: number;
  per: ReturnType<typeof perEvent>;
  usage: PhaseUsage;
  rssApiWorkerMb: number;
}

async function deliverLadder(ctx: Ctx, kind: Kind, name: string, egress: boolean, eps: number, rates: number[], stepMs: number, graceMs: number, tag: string): Promise<Deliver> {
  return withSink(fast(eps), (sink, urls) =>
    withSystem(kind, { name, workers: true, egress, egressPorts: urls.map((u) => Number(new URL(u).port)), workerConcurrency: ctx.profile.workerConcurrency, caravanDir: ctx.caravanDir, caravanEnv: ctx.caravanEnv }, async (dep) => {
      const counted = range(eps);
      const target = await dep.addEndpoints(urls.map((url) => ({ url, timeoutS: 5 })));
      const seqs = new SeqSource();
      await warm(sink, target, seqs, counted);
      const meter = new PhaseMeter(dep, ctx.statements, ctx.profile.pgSettleMs);
      const activity = new ActivitySampler(dep.db);
      await meter.start();
      activity.start();
      const { steps, knee } = await ladder(dep, sink, target, seqs, tag, rates, stepMs, graceMs, counted, ctx.log);
      const loss = await settle(sink, steps, counted, ctx.profile.finalDrainMs);
      const pgActivity = await activity.stop();
      const usage = await meter.stop();
      const delivered = loss.expected - loss.lost;
      return {
        pgActivity,
        steps,
        knee,
        at300: steps.find((s) => s.rate === 300),
        ...loss,
        per: perEvent(usage, delivered),
        usage,
        rssApiWorkerMb: (usage.groups.api?.rssPeakMb ?? 0) + (usage.groups.worker?.rssPeakMb ?? 0),
      };
    }),
  );
}

function activityNote(kind: Kind, d: Deliver): string {
  const a = d.pgActivity;
  const top = a.top.map((t) => `${(t.share * 100).toFixed(0)}% \`${t.statement.replace(/\|/g, '/')}\``).join('; ');
  const waits = a.waits.map((w) => `${w.event} ${(w.share * 100).toFixed(0)}%`).join(', ');
  return `${kind}: PostgreSQL busy backends on average ${a.busyBackends.toFixed(2)}; active statements by share of samples: ${top || 'none'}; waits: ${waits || 'none'}.`;
}

const best = (d: Deliver): number => Math.max(0, ...d.steps.map((s) => s.deliveriesPerS));

function lossFailures(kind: Kind, id: string, d: { lost: number; duplicates: number; expected: number }): string[] {
  return d.lost > 0 ? [`${kind} ${id}: ${d.lost} of ${d.expected} deliveries never arrived`] : [];
}

export async function s2(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s2;
  const out = {} as Record<Kind, Deliver>;
  for (const kind of KINDS) out[kind] = await deliverLadder(ctx, kind, 's2', false, 1, p.rates, p.stepMs, p.graceMs, 's2');
  ctx.memo.s2 = out;
  const c = out.caravan;
  const b = out.baseline;
  const q = ctx.profile.quick;
  const kr = c.knee / b.knee;
  const rows = [
    row('S2', 'knee (highest paced rate kept up)', 'ev/s', c.knee, b.knee, 'higher', '≥ 500 and ≥ 0.6× baseline', c.knee >= 500 && kr >= 0.6),
    row('S2', 'best deliveries/s over a step', 'del/s', best(c), best(b), 'higher', '', undefined, q && best(c) < 0.2 * best(b)),
    row('S2', 'ingest→sink p50 at 300/s', 'ms', c.at300?.e2e.p50 ?? NaN, b.at300?.e2e.p50 ?? NaN, 'lower'),
    row('S2', 'ingest→sink p99 at 300/s', 'ms', c.at300?.e2e.p99 ?? NaN, b.at300?.e2e.p99 ?? NaN, 'lower', '≤ 50 ms', (c.at300?.e2e.p99 ?? Infinity) <= 50),
    row('S2', 'lost deliveries', '', c.lost, b.lost, 'lower', '0', c.lost === 0),
    row('S2', 'duplicate deliveries', '', c.duplicates, b.duplicates, 'lower'),
    row('S2', 'CPU ms per delivered event (api+worker+pg+redis)', 'ms', c.per.cpuMs, b.per.cpuMs, 'lower', '≤ 2× baseline', c.per.cpuMs <= 2 * b.per.cpuMs, q && c.per.cpuMs > 6 * b.per.cpuMs),
    row('S2', 'RSS peak api+worker', 'MB', c.rssApiWorkerMb, b.rssApiWorkerMb, 'lower', '≤ 2× baseline', c.rssApiWorkerMb <= 2 * b.rssApiWorkerMb),
    row('S2', 'RSS peak api', 'MB', c.usage.groups.api?.rssPeakMb ?? NaN, b.usage.groups.api?.rssPeakMb ?? NaN, 'lower'),
    row('S2', 'RSS peak worker', 'MB', c.usage.groups.worker?.rssPeakMb ?? NaN, b.usage.groups.worker?.rssPeakMb ?? NaN, 'lower'),
    row('S2', 'PG transactions per delivered event', '', c.per.xacts, b.per.xacts, 'lower'),
    row('S2', 'PG rows written per delivered event', '', c.per.rows, b.per.rows, 'lower'),
    row('S2', 'PG database bytes per delivered event', 'B', c.per.bytes, b.per.bytes, 'lower'),
  ];
  if (c.per.statements !== undefined && b.per.statements !== undefined) rows.push(row('S2', 'PG statements per delivered event', '', c.per.statements, b.per.statements, 'lower'));
  for (const g of ['api', 'worker', 'postgres', 'redis', 'harness']) {
    rows.push(row('S2', `CPU ms per delivered event: ${g === 'harness' ? 'load generator + sink (not in the total)' : g}`, 'ms', (c.usage.groups[g]?.cpuMs ?? 0) / Math.max(1, c.expected - c.lost), (b.usage.groups[g]?.cpuMs ?? 0) / Math.max(1, b.expected - b.lost), 'lower'));
  }
  return { id: 'S2', title: 'ingest + deliver, 1 fast endpoint, paced ladder', rows, failures: [...lossFailures('caravan', 'S2', c), ...lossFailures('baseline', 'S2', b)], notes: [activityNote('caravan', c), activityNote('baseline', b)], raw: strip(out) };
}

export async function s6(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s2;
  // The baseline has no egress proxy: its direct S2 figures are the reference.
  const c = await deliverLadder(ctx, 'caravan', 's6', true, 1, p.rates, p.stepMs, p.graceMs, 's6');
  const s2 = ctx.memo.s2 as Record<Kind, Deliver> | undefined;
  const b = s2?.baseline;
  const direct = s2?.caravan;
  const q = ctx.profile.quick;
  // Compare with Caravan's own direct S2: knees when both kept up somewhere, else the best
  // sustained deliveries/s; p99 at the highest rate both ladders ran.
  const tput = direct ? (c.knee > 0 && direct.knee > 0 ? c.knee / direct.knee : best(c) / best(direct)) : NaN;
  const common = direct ? c.steps.filter((s) => direct.steps.some((d) => d.rate === s.rate)).at(-1) : undefined;
  const directCommon = common && direct ? direct.steps.find((d) => d.rate === common.rate) : undefined;
  const pr = common && directCommon ? common.e2e.p99 / directCommon.e2e.p99 : NaN;
  const rows = [
    row('S6', 'knee through the egress proxy (baseline: direct)', 'ev/s', c.knee, b?.knee ?? NaN, 'higher'),
    row('S6', 'best deliveries/s over a step via proxy (baseline: direct)', 'del/s', best(c), b ? best(b) : NaN, 'higher', '', undefined, q && !!direct && best(c) < 0.3 * best(direct)),
    row('S6', 'throughput via proxy ÷ Caravan direct (S2)', '×', tput, 1, 'higher', '≥ 0.8', Number.isFinite(tput) ? tput >= 0.8 : undefined),
    row('S6', `p99 via proxy at ${common?.rate ?? '?'}/s (baseline: direct)`, 'ms', common?.e2e.p99 ?? NaN, b?.steps.find((s) => s.rate === common?.rate)?.e2e.p99 ?? NaN, 'lower'),
    row('S6', 'p99 via proxy ÷ Caravan direct (S2) at that rate', '×', pr, 1, 'lower', '≤ 2', Number.isFinite(pr) ? pr <= 2 : undefined),
    row('S6', 'lost deliveries', '', c.lost, b?.lost ?? NaN, 'lower', '0', c.lost === 0),
    row('S6', 'CPU ms per delivered event (incl. egress)', 'ms', c.per.cpuMs, b?.per.cpuMs ?? NaN, 'lower'),
  ];
  return { id: 'S6', title: 'S2 through the egress proxy', rows, failures: lossFailures('caravan', 'S6', c), notes: ['The baseline has no proxy; its column repeats its direct S2 figures.'], raw: strip({ caravan: c }) };
}

// S3 / S4 ------------------------------------------------------------------------------

export async function s3(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s3;
  const out = {} as Record<Kind, Deliver>;
  for (const kind of KINDS) out[kind] = await deliverLadder(ctx, kind, 's3', false, p.endpoints, p.rates, p.stepMs, p.graceMs, 's3');
  ctx.memo.s3 = out;
  const c = out.caravan;
  const b = out.baseline;
  const s2 = ctx.memo.s2 as Record<Kind, Deliver> | undefined;
  const atKnee = (d: Deliver): StepResult | undefined => d.steps.find((s) => s.rate === d.knee);
  const spread = (d: Deliver): number => {
    const s = atKnee(d);
    return s ? Math.max(...s.perEndpointP99) / Math.min(...s.perEndpointP99) : NaN;
  };
  const cd = c.knee * p.endpoints;
  const bd = b.knee * p.endpoints;
  const q = ctx.profile.quick;
  const rows = [
    row('S3', 'deliveries/s at the knee (events/s × 10)', 'del/s', cd, bd, 'higher', `≥ S2 knee (${s2?.caravan.knee ?? '?'} ev/s)`, s2 ? cd > 0 && cd >= s2.caravan.knee : undefined),
    row('S3', 'best deliveries/s over a step', 'del/s', best(c), best(b), 'higher', '', undefined, q && best(c) < 0.2 * best(b)),
    row('S3', 'knee in events/s', 'ev/s', c.knee, b.knee, 'higher'),
    row('S3', 'ingest→sink p99 at the knee', 'ms', atKnee(c)?.e2e.p99 ?? NaN, atKnee(b)?.e2e.p99 ?? NaN, 'lower'),
    row('S3', 'per-endpoint p99 spread at the knee (max ÷ min)', '×', spread(c), spread(b), 'lower'),
    row('S3', 'lost deliveries', '', c.lost, b.lost, 'lower', '0', c.lost === 0),
    row('S3', 'CPU ms per delivery', 'ms', c.per.cpuMs, b.per.cpuMs, 'lower'),
  ];
  return { id: 'S3', title: 'fan-out: 1 event → 10 endpoints', rows, failures: [...lossFailures('caravan', 'S3', c), ...lossFailures('baseline', 'S3', b)], notes: [], raw: strip(out) };
}

interface Noisy {
  rate: number;
  step: StepResult;
  reference?: StepResult;
  lost: number;
  duplicates: number;
  expected: number;
}

export async function s4(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s4;
  const s3 = ctx.memo.s3 as Record<Kind, Deliver> | undefined;
  const healthy = range(7);
  const modes: SinkMode[] = [...fast(7), { kind: '500' }, { kind: 'hang' }, { kind: 'refuse' }];
  const out = {} as Record<Kind, Noisy>;
  for (const kind of KINDS) {
    // at the rate S3 kept up with for this system, so any change is the neighbours' doing
    const rate = s3?.[kind].knee || ctx.profile.s3.rates[0];
    out[kind] = await withSink(modes, (sink, urls) =>
      withSystem(kind, { name: 's4', workers: true, workerConcurrency: ctx.profile.workerConcurrency, caravanDir: ctx.caravanDir, caravanEnv: ctx.caravanEnv }, async (dep) => {
        const target = await dep.addEndpoints(urls.map((url) => ({ url, timeoutS: p.timeoutS })));
        const seqs = new SeqSource();
        await warm(sink, target, seqs, healthy);
        const st = await step(sink, target, seqs, 's4', rate, p.stepMs, p.graceMs, healthy);
        ctx.log(`  ${kind} S4 ${rate}/s: healthy p99 ${st.e2e.p99.toFixed(1)} ms, ${st.deliveriesPerS.toFixed(0)} healthy deliveries/s`);
        const loss = await settle(sink, [st], healthy, ctx.profile.finalDrainMs);
        return { rate, step: st, reference: s3?.[kind].steps.find((s) => s.rate === rate), ...loss };
      }),
    );
  }
  const c = out.caravan;
  const b = out.baseline;
  const ref = (n: Noisy): { p99: number; tput: number } => ({ p99: n.reference?.e2e.p99 ?? NaN, tput: ((n.reference?.deliveriesPerS ?? NaN) * healthy.length) / 10 });
  const cp = c.step.e2e.p99 / ref(c).p99;
  const ct = c.step.deliveriesPerS / ref(c).tput;
  const rows = [
    row('S4', 'offered events/s (the S3 knee)', 'ev/s', c.rate, b.rate, 'higher'),
    row('S4', 'healthy endpoints ingest→sink p99', 'ms', c.step.e2e.p99, b.step.e2e.p99, 'lower'),
    row('S4', 'healthy p99 ÷ own S3 p99 at that rate', '×', cp, b.step.e2e.p99 / ref(b).p99, 'lower', '≤ 1.5', cp <= 1.5),
    row('S4', 'healthy deliveries/s', 'del/s', c.step.deliveriesPerS, b.step.deliveriesPerS, 'higher'),
    row('S4', 'healthy deliveries/s ÷ own S3 at that rate', '×', ct, b.step.deliveriesPerS / ref(b).tput, 'higher', '≥ 0.95 (unchanged)', ct >= 0.95),
    row('S4', 'lost deliveries to healthy endpoints', '', c.lost, b.lost, 'lower', '0', c.lost === 0),
  ];
  return { id: 'S4', title: 'noisy neighbour: 7 healthy + one 500, one hanging, one refusing', rows, failures: [...lossFailures('caravan', 'S4', c), ...lossFailures('baseline', 'S4', b)], notes: [`endpoint timeout ${p.timeoutS} s`], raw: strip(out) };
}

// S5 -----------------------------------------------------------------------------------

interface Backlog {
  backlog: number;
  ingestRate: number;
  drainRate: number;
  drained: boolean;
  redisPeakMb: number;
  fresh: ReturnType<typeof endToEnd>;
  lost: number;
  duplicates: number;
  failures: string[];
}

export async function s5(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s5;
  const out = {} as Record<Kind, Backlog>;
  for (const kind of KINDS) {
    out[kind] = await withSink(fast(1), (sink, urls) =>
      withSystem(kind, { name: 's5', workers: false, workerConcurrency: ctx.profile.workerConcurrency, caravanDir: ctx.caravanDir, caravanEnv: ctx.caravanEnv }, async (dep) => {
        const target = await dep.addEndpoints([{ url: urls[0], timeoutS: 5 }]);
        const seqs = new SeqSource();
        const redis = redisClient();
        let peak = 0;
        const base = (await redisInfo(redis)).usedMb;
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            peak = Math.max(peak, (await redisInfo(redis)).usedMb - base);
            await sleep(250);
          }
        })();
        try {
          const failures: string[] = [];
          const fill = await closedLoop(target, { concurrency: 32, durationMs: p.maxDrainMs, maxEvents: p.backlog, run: 's5-backlog', seqs });
          failures.push(...loadFailures(kind, 'S5 backlog ingest', fill));
          ctx.log(`  ${kind} S5 backlog of ${fill.ok} queued at ${fill.rate.toFixed(0)} events/s`);
          const t0 = performance.now();
          await dep.startWorker();
          const [fresh, d] = await Promise.all([
            paced(target, { rate: p.freshRate, durationMs: p.freshMs, run: 's5-fresh', seqs }),
            drain(sink, 's5-backlog', fill.accepted, [0], p.maxDrainMs, 30_000),
          ]);
          const deliveredBacklog = accountDeliveries(sink.ofRun('s5-backlog'), fill.accepted, [0]).unique;
          const drainRate = (deliveredBacklog * 1000) / Math.max(1, d.lastArrivalAt - t0);
          await drain(sink, 's5-fresh', fresh.accepted, [0], ctx.profile.finalDrainMs);
          const accB = accountDeliveries(sink.ofRun('s5-backlog'), fill.accepted, [0]);
          const accF = accountDeliveries(sink.ofRun('s5-fresh'), fresh.accepted, [0]);
          const lost = accB.lost + accF.lost;
          ctx.log(`  ${kind} S5 drained ${deliveredBacklog}/${fill.accepted.length} at ${drainRate.toFixed(0)} events/s${d.complete ? '' : ' (bound reached)'}, Redis peak +${peak.toFixed(1)} MB, ${lost} undelivered`);
          if (lost > 0) failures.push(`${kind} S5: ${lost} deliveries had not arrived when the time bound ran out`);
          return { backlog: fill.accepted.length, ingestRate: fill.rate, drainRate, drained: d.complete, redisPeakMb: peak, fresh: endToEnd(sink.ofRun('s5-fresh')), lost, duplicates: accB.duplicates + accF.duplicates, failures };
        } finally {
          sampling = false;
          await sampler;
          redis.disconnect();
        }
      }),
    );
  }
  const c = out.caravan;
  const b = out.baseline;
  const q = ctx.profile.quick;
  const rows = [
    row('S5', 'backlog size', 'events', c.backlog, b.backlog, 'higher'),
    row('S5', 'backlog ingest (workers stopped), closed loop', 'ev/s', c.ingestRate, b.ingestRate, 'higher'),
    row('S5', 'drain rate', 'ev/s', c.drainRate, b.drainRate, 'higher', '≥ 500', c.drainRate >= 500, q && c.drainRate / b.drainRate < 0.15),
    row('S5', 'Redis memory peak above start', 'MB', c.redisPeakMb, b.redisPeakMb, 'lower', '< 300 MB', c.redisPeakMb < 300),
    row('S5', 'fresh events ingest→sink p50 during drain', 'ms', c.fresh.p50, b.fresh.p50, 'lower'),
    row('S5', 'fresh events ingest→sink p99 during drain', 'ms', c.fresh.p99, b.fresh.p99, 'lower'),
    row('S5', 'backlog drained within the bound', 'yes=1', c.drained ? 1 : 0, b.drained ? 1 : 0, 'higher'),
    row('S5', 'undelivered at the end (lost, or not drained in time)', '', c.lost, b.lost, 'lower', '0', c.lost === 0),
  ];
  return {
    id: 'S5',
    title: 'backlog drain: events queued with workers stopped, drained while fresh events flow',
    rows,
    failures: [...c.failures, ...b.failures],
    notes: ['Redis memory is the instance-wide used_memory above its value at the start of the scenario (other tenants of the instance add noise).'],
    raw: strip(out),
  };
}

// S7 -----------------------------------------------------------------------------------

export async function s7(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s7;
  const s2 = ctx.memo.s2 as Record<Kind, Deliver> | undefined;
  const out = {} as Record<Kind, { rate: number; windows: { p99: number; apiMb: number; workerMb: number; redisMb: number; deadTuples: number }[]; lost: number }>;
  for (const kind of KINDS) {
    // half the knee S2 found in this invocation; 100/s when S2 did not run
    const rate = Math.max(50, Math.floor((s2?.[kind].knee ?? 200) / 2));
    out[kind] = await withSink(fast(1), (sink, urls) =>
      withSystem(kind, { name: 's7', workers: true, workerConcurrency: ctx.profile.workerConcurrency, caravanDir: ctx.caravanDir, caravanEnv: ctx.caravanEnv }, async (dep) => {
        const target = await dep.addEndpoints([{ url: urls[0], timeoutS: 5 }]);
        const seqs = new SeqSource();
        const redis = redisClient();
        const windows = [];
        const steps: StepResult[] = [];
        try {
          const n = Math.max(1, Math.round((p.minutes * 60_000) / p.windowMs));
          for (let i = 0; i < n; i++) {
            const meter = new PhaseMeter(dep, false, 0);
            await meter.start();
            const st = await step(sink, target, seqs, `s7-${i}`, rate, p.windowMs, 2000, [0]);
            const u = await meter.stop();
            steps.push(st);
            const w = { p99: st.e2e.p99, apiMb: u.groups.api?.rssLastMb ?? NaN, workerMb: u.groups.worker?.rssLastMb ?? NaN, redisMb: (await redisInfo(redis)).usedMb, deadTuples: await deadTuples(dep.db) };
            windows.push(w);
            ctx.log(`  ${kind} S7 window ${i + 1}/${n} at ${rate}/s: p99 ${w.p99.toFixed(1)} ms, api ${w.apiMb.toFixed(0)} MB, worker ${w.workerMb.toFixed(0)} MB, redis ${w.redisMb.toFixed(1)} MB, dead tuples ${w.deadTuples}`);
          }
        } finally {
          redis.disconnect();
        }
        const loss = await settle(sink, steps, [0], ctx.profile.finalDrainMs);
        return { rate, windows, lost: loss.lost };
      }),
    );
  }
  const growth = (k: Kind, f: (w: (typeof out)[Kind]['windows'][number]) => number): number => {
    const w = out[k].windows;
    return f(w[w.length - 1]) - f(w[0]);
  };
  const rows = [
    row('S7', 'soak rate (half the S2 knee)', 'ev/s', out.caravan.rate, out.baseline.rate, 'higher'),
    row('S7', 'api RSS growth first→last window', 'MB', growth('caravan', (w) => w.apiMb), growth('baseline', (w) => w.apiMb), 'lower'),
    row('S7', 'worker RSS growth first→last window', 'MB', growth('caravan', (w) => w.workerMb), growth('baseline', (w) => w.workerMb), 'lower'),
    row('S7', 'Redis used memory growth', 'MB', growth('caravan', (w) => w.redisMb), growth('baseline', (w) => w.redisMb), 'lower'),
    row('S7', 'PG dead tuples at the end', '', out.caravan.windows.at(-1)?.deadTuples ?? NaN, out.baseline.windows.at(-1)?.deadTuples ?? NaN, 'lower'),
    row('S7', 'p99 drift first→last window', 'ms', growth('caravan', (w) => w.p99), growth('baseline', (w) => w.p99), 'lower'),
    row('S7', 'undelivered at the end (lost, or not drained in time)', '', out.caravan.lost, out.baseline.lost, 'lower', '0', out.caravan.lost === 0),
  ];
  return { id: 'S7', title: `soak at half the knee for ${p.minutes} min`, rows, failures: KINDS.filter((k) => out[k].lost > 0).map((k) => `${k} S7: ${out[k].lost} deliveries had not arrived when the time bound ran out`), notes: [], raw: out };
}

/** Drops the per-event id lists from raw results: they make the JSON huge and say nothing. */
function strip(v: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'accepted' && Array.isArray(x) ? x.length : x))) as Record<string, unknown>;
}

export const SCENARIOS: Record<string, (ctx: Ctx) => Promise<ScenarioResult>> = { S1: s1, S2: s2, S3: s3, S4: s4, S5: s5, S6: s6, S7: s7 };

