import { ladder, settle, StepResult } from '../lib/ladder';
import { SeqSource } from '../lib/load';
import { PhaseMeter, PhaseUsage } from '../lib/measure';
import { ActivitySampler } from '../lib/pg';
import { row, ScenarioResult } from '../report-types';
import { Ctx, KINDS, Kind, fast, lossFailures, perEvent, range, strip, warm, withSink, withSystem } from './common';

export interface Deliver {
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

export async function deliverLadder(
  ctx: Ctx,
  kind: Kind,
  name: string,
  egress: boolean,
  eps: number,
  rates: number[],
  stepMs: number,
  graceMs: number,
  tag: string,
  /** how events come in: the API, or published to RabbitMQ for a pub/sub source (Caravan only, one endpoint) */
  via: 'api' | 'broker' = 'api',
): Promise<Deliver> {
  return withSink(fast(eps), (sink, urls) =>
    withSystem(
      kind,
      {
        name,
        workers: true,
        egress,
        egressPorts: urls.map((u) => Number(new URL(u).port)),
        workerConcurrency: ctx.profile.workerConcurrency,
        caravanDir: ctx.caravanDir,
        caravanEnv: ctx.caravanEnv,
      },
      async (dep) => {
        const counted = range(eps);
        const broker = via === 'broker' && dep.addBrokerSource ? await dep.addBrokerSource({ url: urls[0], timeoutS: 5 }) : undefined;
        const target = broker ?? (await dep.addEndpoints(urls.map((url) => ({ url, timeoutS: 5 }))));
        const seqs = new SeqSource();
        await warm(sink, target, seqs, counted);
        const meter = new PhaseMeter(dep, ctx.statements, ctx.profile.pgSettleMs);
        const activity = new ActivitySampler(dep.db);
        await meter.start();
        activity.start();
        const { steps, runs, knee } = await ladder(dep, sink, target, seqs, tag, rates, stepMs, graceMs, counted, ctx.log, ctx.profile.kneeRepeats);
        const loss = await settle(sink, runs, counted, ctx.profile.finalDrainMs);
        await broker?.close();
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
      },
    ),
  );
}

function activityNote(kind: Kind, d: Deliver): string {
  const a = d.pgActivity;
  const top = a.top.map((t) => `${(t.share * 100).toFixed(0)}% \`${t.statement.replace(/\|/g, '/')}\``).join('; ');
  const waits = a.waits.map((w) => `${w.event} ${(w.share * 100).toFixed(0)}%`).join(', ');
  return `${kind}: PostgreSQL busy backends on average ${a.busyBackends.toFixed(2)}; active statements by share of samples: ${top || 'none'}; waits: ${waits || 'none'}.`;
}

export const best = (d: Deliver): number => Math.max(0, ...d.steps.map((s) => s.deliveriesPerS));
export async function s2(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s2;
  const out = {} as Record<Kind, Deliver>;
  for (const kind of KINDS) out[kind] = await deliverLadder(ctx, kind, 's2', false, 1, p.rates, p.stepMs, p.graceMs, 's2');
  ctx.memo.s2 = out;
  // the same ladder with the events published to RabbitMQ and consumed by a pub/sub source
  const mq = await deliverLadder(ctx, 'caravan', 's2mq', false, 1, p.rates, p.stepMs, p.graceMs, 's2mq', 'broker');
  const c = out.caravan;
  const b = out.baseline;
  const q = ctx.profile.quick;
  const kr = c.knee / b.knee;
  const rows = [
    row('S2', 'knee (highest paced rate kept up)', 'ev/s', c.knee, b.knee, 'higher', '≥ 500 and ≥ 0.7× baseline', c.knee >= 500 && kr >= 0.7),
    row('S2', 'best deliveries/s over a step', 'del/s', best(c), best(b), 'higher', '', undefined, q && best(c) < 0.2 * best(b)),
    row('S2', 'ingest→sink p50 at 300/s', 'ms', c.at300?.e2e.p50 ?? NaN, b.at300?.e2e.p50 ?? NaN, 'lower'),
    row(
      'S2',
      'ingest→sink p99 at 300/s',
      'ms',
      c.at300?.e2e.p99 ?? NaN,
      b.at300?.e2e.p99 ?? NaN,
      'lower',
      '≤ 2× baseline',
      (c.at300?.e2e.p99 ?? Infinity) <= 2 * (b.at300?.e2e.p99 ?? NaN),
    ),
    row('S2', 'lost deliveries', '', c.lost, b.lost, 'lower', '0', c.lost === 0),
    row(
      'S2',
      'RabbitMQ → endpoint knee (baseline column: POST /events, same run)',
      'ev/s',
      mq.knee,
      c.knee,
      'higher',
      '≥ 0.8× POST /events',
      mq.knee >= 0.8 * c.knee,
    ),
    row(
      'S2',
      'RabbitMQ → endpoint, publish→sink p99 at 300/s (baseline column: POST /events ingest→sink, same run)',
      'ms',
      mq.at300?.e2e.p99 ?? NaN,
      c.at300?.e2e.p99 ?? NaN,
      'lower',
    ),
    row('S2', 'RabbitMQ → endpoint lost deliveries', '', mq.lost, c.lost, 'lower', '0', mq.lost === 0),
    row('S2', 'duplicate deliveries', '', c.duplicates, b.duplicates, 'lower'),
    row(
      'S2',
      'CPU ms per delivered event (api+worker+pg+redis)',
      'ms',
      c.per.cpuMs,
      b.per.cpuMs,
      'lower',
      '≤ 1.5× baseline',
      c.per.cpuMs <= 1.5 * b.per.cpuMs,
      q && c.per.cpuMs > 6 * b.per.cpuMs,
    ),
    row('S2', 'RSS peak api+worker', 'MB', c.rssApiWorkerMb, b.rssApiWorkerMb, 'lower', '≤ 2× baseline', c.rssApiWorkerMb <= 2 * b.rssApiWorkerMb),
    row('S2', 'RSS peak api', 'MB', c.usage.groups.api?.rssPeakMb ?? NaN, b.usage.groups.api?.rssPeakMb ?? NaN, 'lower'),
    row('S2', 'RSS peak worker', 'MB', c.usage.groups.worker?.rssPeakMb ?? NaN, b.usage.groups.worker?.rssPeakMb ?? NaN, 'lower'),
    row('S2', 'PG transactions per delivered event', '', c.per.xacts, b.per.xacts, 'lower'),
    row('S2', 'PG rows written per delivered event', '', c.per.rows, b.per.rows, 'lower'),
    row('S2', 'PG database bytes per delivered event', 'B', c.per.bytes, b.per.bytes, 'lower'),
  ];
  if (c.per.statements !== undefined && b.per.statements !== undefined)
    rows.push(row('S2', 'PG statements per delivered event', '', c.per.statements, b.per.statements, 'lower'));
  for (const g of ['api', 'worker', 'postgres', 'redis', 'harness']) {
    rows.push(
      row(
        'S2',
        `CPU ms per delivered event: ${g === 'harness' ? 'load generator + sink (not in the total)' : g}`,
        'ms',
        (c.usage.groups[g]?.cpuMs ?? 0) / Math.max(1, c.expected - c.lost),
        (b.usage.groups[g]?.cpuMs ?? 0) / Math.max(1, b.expected - b.lost),
        'lower',
      ),
    );
  }
  return {
    id: 'S2',
    title: 'ingest + deliver, 1 fast endpoint, paced ladder',
    rows,
    failures: [...lossFailures('caravan', 'S2', c), ...lossFailures('baseline', 'S2', b), ...lossFailures('caravan', 'S2 via RabbitMQ', mq)],
    notes: [activityNote('caravan', c), activityNote('baseline', b)],
    raw: strip(out),
  };
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
    row(
      'S6',
      'best deliveries/s over a step via proxy (baseline: direct)',
      'del/s',
      best(c),
      b ? best(b) : NaN,
      'higher',
      '',
      undefined,
      q && !!direct && best(c) < 0.3 * best(direct),
    ),
    row('S6', 'throughput via proxy ÷ Caravan direct (S2)', '×', tput, 1, 'higher', '≥ 0.8', Number.isFinite(tput) ? tput >= 0.8 : undefined),
    row(
      'S6',
      `p99 via proxy at ${common?.rate ?? '?'}/s (baseline: direct)`,
      'ms',
      common?.e2e.p99 ?? NaN,
      b?.steps.find((s) => s.rate === common?.rate)?.e2e.p99 ?? NaN,
      'lower',
    ),
    row('S6', 'p99 via proxy ÷ Caravan direct (S2) at that rate', '×', pr, 1, 'lower', '≤ 2', Number.isFinite(pr) ? pr <= 2 : undefined),
    row('S6', 'lost deliveries', '', c.lost, b?.lost ?? NaN, 'lower', '0', c.lost === 0),
    row('S6', 'CPU ms per delivered event (incl. egress)', 'ms', c.per.cpuMs, b?.per.cpuMs ?? NaN, 'lower'),
  ];
  return {
    id: 'S6',
    title: 'S2 through the egress proxy',
    rows,
    failures: lossFailures('caravan', 'S6', c),
    notes: ['The baseline has no proxy; its column repeats its direct S2 figures.'],
    raw: strip({ caravan: c }),
  };
}
export async function s3(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s3;
  const out = {} as Record<Kind, Deliver>;
  for (const kind of KINDS) out[kind] = await deliverLadder(ctx, kind, 's3', false, p.endpoints, p.rates, p.stepMs, p.graceMs, 's3');
  ctx.memo.s3 = out;
  const c = out.caravan;
  const b = out.baseline;
  const atKnee = (d: Deliver): StepResult | undefined => d.steps.find((s) => s.rate === d.knee);
  const spread = (d: Deliver): number => {
    const s = atKnee(d);
    return s ? Math.max(...s.perEndpointP99) / Math.min(...s.perEndpointP99) : NaN;
  };
  const cd = c.knee * p.endpoints;
  const bd = b.knee * p.endpoints;
  const q = ctx.profile.quick;
  const rows = [
    row('S3', 'deliveries/s at the knee (events/s × 10)', 'del/s', cd, bd, 'higher', '≥ 0.6× baseline', bd > 0 ? cd >= 0.6 * bd : undefined),
    row('S3', 'best deliveries/s over a step', 'del/s', best(c), best(b), 'higher', '', undefined, q && best(c) < 0.2 * best(b)),
    row('S3', 'knee in events/s', 'ev/s', c.knee, b.knee, 'higher'),
    row('S3', 'ingest→sink p99 at the knee', 'ms', atKnee(c)?.e2e.p99 ?? NaN, atKnee(b)?.e2e.p99 ?? NaN, 'lower'),
    row('S3', 'per-endpoint p99 spread at the knee (max ÷ min)', '×', spread(c), spread(b), 'lower'),
    row('S3', 'lost deliveries', '', c.lost, b.lost, 'lower', '0', c.lost === 0),
    row('S3', 'CPU ms per delivery', 'ms', c.per.cpuMs, b.per.cpuMs, 'lower'),
  ];
  return {
    id: 'S3',
    title: 'fan-out: 1 event → 10 endpoints',
    rows,
    failures: [...lossFailures('caravan', 'S3', c), ...lossFailures('baseline', 'S3', b)],
    notes: [],
    raw: strip(out),
  };
}
