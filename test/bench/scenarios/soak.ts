import { redisClient, redisInfo } from '../lib/children';
import { settle, step, StepResult } from '../lib/ladder';
import { SeqSource } from '../lib/load';
import { PhaseMeter } from '../lib/measure';
import { deadTuples } from '../lib/pg';
import { PrivatePostgres } from '../lib/private-pg';
import { row, ScenarioResult } from '../report-types';
import { Ctx, KINDS, Kind, fast, withSink, withSystem } from './common';
import type { Deliver } from './delivery';

type Window = { p99: number; apiMb: number; workerMb: number; redisMb: number; deadTuples: number };
type Soak = { rate: number; windows: Window[]; lost: number };
const EMPTY: Soak = { rate: NaN, windows: [], lost: 0 };

/**
 * Half the knee for a long run. Each system gets a PostgreSQL server of its own with
 * autovacuum on, as production runs it: the machine's server has autovacuum off, where
 * dead tuples only grow and say nothing about steady state.
 */
export async function s7(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s7;
  const s2 = ctx.memo.s2 as Record<Kind, Deliver> | undefined;
  const out = { caravan: EMPTY, baseline: EMPTY } as Record<Kind, Soak>;
  for (const kind of KINDS.filter((k) => p.systems.includes(k))) {
    // --soak-rate, else half the knee S2 found in this invocation; 100/s when S2 did not run
    const rate = p.rate > 0 ? p.rate : Math.max(50, Math.floor((s2?.[kind].knee ?? 200) / 2));
    const pg = new PrivatePostgres();
    await pg.start({ shared_buffers: '256MB', max_wal_size: '2GB' });
    try {
      out[kind] = await withSink(fast(1), (sink, urls) =>
        withSystem(
          kind,
          {
            name: 's7',
            workers: true,
            workerConcurrency: ctx.profile.workerConcurrency,
            caravanDir: ctx.caravanDir,
            caravanEnv: ctx.caravanEnv,
            pgServer: pg.server,
          },
          async (dep) => {
            const target = await dep.addEndpoints([{ url: urls[0], timeoutS: 5 }]);
            const seqs = new SeqSource();
            const redis = redisClient();
            const windows: Window[] = [];
            const steps: StepResult[] = [];
            try {
              const n = Math.max(1, Math.round((p.minutes * 60_000) / p.windowMs));
              for (let i = 0; i < n; i++) {
                const meter = new PhaseMeter(dep, false, 0);
                await meter.start();
                const st = await step(sink, target, seqs, `s7-${i}`, rate, p.windowMs, 2000, [0]);
                const u = await meter.stop();
                steps.push(st);
                const w = {
                  p99: st.e2e.p99,
                  apiMb: u.groups.api?.rssLastMb ?? NaN,
                  workerMb: u.groups.worker?.rssLastMb ?? NaN,
                  redisMb: (await redisInfo(redis)).usedMb,
                  deadTuples: await deadTuples(dep.db, dep.pgServer),
                };
                windows.push(w);
                ctx.log(
                  `  ${kind} S7 window ${i + 1}/${n} at ${rate}/s: p99 ${w.p99.toFixed(1)} ms, api ${w.apiMb.toFixed(0)} MB, worker ${w.workerMb.toFixed(0)} MB, redis ${w.redisMb.toFixed(1)} MB, dead tuples ${w.deadTuples}`,
                );
              }
            } finally {
              redis.disconnect();
            }
            const loss = await settle(sink, steps, [0], ctx.profile.finalDrainMs);
            return { rate, windows, lost: loss.lost };
          },
        ),
      );
    } finally {
      await pg.stop();
    }
  }
  const growth = (k: Kind, f: (w: Window) => number): number => {
    const w = out[k].windows;
    return w.length ? f(w[w.length - 1]) - f(w[0]) : NaN;
  };
  const rows = [
    row('S7', 'soak rate (half the S2 knee)', 'ev/s', out.caravan.rate, out.baseline.rate, 'higher'),
    row(
      'S7',
      'api RSS growth first→last window',
      'MB',
      growth('caravan', (w) => w.apiMb),
      growth('baseline', (w) => w.apiMb),
      'lower',
    ),
    row(
      'S7',
      'worker RSS growth first→last window',
      'MB',
      growth('caravan', (w) => w.workerMb),
      growth('baseline', (w) => w.workerMb),
      'lower',
    ),
    row(
      'S7',
      'Redis used memory growth',
      'MB',
      growth('caravan', (w) => w.redisMb),
      growth('baseline', (w) => w.redisMb),
      'lower',
    ),
    row('S7', 'PG dead tuples at the end', '', out.caravan.windows.at(-1)?.deadTuples ?? NaN, out.baseline.windows.at(-1)?.deadTuples ?? NaN, 'lower'),
    row(
      'S7',
      'p99 drift first→last window',
      'ms',
      growth('caravan', (w) => w.p99),
      growth('baseline', (w) => w.p99),
      'lower',
    ),
    row('S7', 'undelivered at the end (lost, or not drained in time)', '', out.caravan.lost, out.baseline.lost, 'lower', '0', out.caravan.lost === 0),
  ];
  return {
    id: 'S7',
    title: `soak at half the knee for ${p.minutes} min`,
    rows,
    failures: KINDS.filter((k) => out[k].lost > 0).map((k) => `${k} S7: ${out[k].lost} deliveries had not arrived when the time bound ran out`),
    notes: KINDS.filter((k) => out[k].windows.length).map(
      (k) =>
        `${k} per window (p99 ms / api MB / worker MB / Redis MB / dead tuples): ` +
        out[k].windows
          .map((w, i) => `${i + 1}: ${w.p99.toFixed(0)}/${w.apiMb.toFixed(0)}/${w.workerMb.toFixed(0)}/${w.redisMb.toFixed(1)}/${w.deadTuples}`)
          .join(', '),
    ),
    raw: out,
  };
}
