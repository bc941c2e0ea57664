import { performance } from 'node:perf_hooks';
import { redisClient, redisInfo } from '../lib/children';
import { closedLoop, paced, SeqSource } from '../lib/load';
import { drain, endToEnd } from '../lib/measure';
import { accountDeliveries } from '../lib/sink';
import { sleep } from '../lib/stats';
import { row, ScenarioResult } from '../report-types';
import { Ctx, KINDS, Kind, fast, loadFailures, strip, withSink, withSystem } from './common';

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
      withSystem(
        kind,
        { name: 's5', workers: false, workerConcurrency: ctx.profile.workerConcurrency, caravanDir: ctx.caravanDir, caravanEnv: ctx.caravanEnv },
        async (dep) => {
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
            ctx.log(
              `  ${kind} S5 drained ${deliveredBacklog}/${fill.accepted.length} at ${drainRate.toFixed(0)} events/s${d.complete ? '' : ' (bound reached)'}, Redis peak +${peak.toFixed(1)} MB, ${lost} undelivered`,
            );
            if (lost > 0) failures.push(`${kind} S5: ${lost} deliveries had not arrived when the time bound ran out`);
            return {
              backlog: fill.accepted.length,
              ingestRate: fill.rate,
              drainRate,
              drained: d.complete,
              redisPeakMb: peak,
              fresh: endToEnd(sink.ofRun('s5-fresh')),
              lost,
              duplicates: accB.duplicates + accF.duplicates,
              failures,
            };
          } finally {
            sampling = false;
            await sampler;
            redis.disconnect();
          }
        },
      ),
    );
  }
  const c = out.caravan;
  const b = out.baseline;
  const q = ctx.profile.quick;
  const rows = [
    row('S5', 'backlog size', 'events', c.backlog, b.backlog, 'higher'),
    row('S5', 'backlog ingest (workers stopped), closed loop', 'ev/s', c.ingestRate, b.ingestRate, 'higher'),
    row(
      'S5',
      'drain rate',
      'ev/s',
      c.drainRate,
      b.drainRate,
      'higher',
      '≥ 0.7× baseline',
      c.drainRate >= 0.7 * b.drainRate,
      q && c.drainRate / b.drainRate < 0.15,
    ),
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
