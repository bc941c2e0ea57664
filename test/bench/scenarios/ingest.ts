import { closedLoop, IngestTarget, LoadResult, paced, SeqSource } from '../lib/load';
import { PhaseMeter, PhaseUsage } from '../lib/measure';
import { median, sleep } from '../lib/stats';
import { row, ScenarioResult } from '../report-types';
import { Ctx, KINDS, Kind, fast, loadFailures, perEvent, strip, withSink, withSystem } from './common';

interface S1 {
  closed: number[];
  closedMedian: number;
  paced: LoadResult;
  per: ReturnType<typeof perEvent>;
  usage: PhaseUsage;
  failures: string[];
  /** the same loads as HMAC-signed webhooks to a source's /ingest URL (Caravan only) */
  incoming?: { closed: number[]; closedMedian: number; paced: LoadResult };
}

/** S1's closed loop and paced load again, as HMAC-signed provider webhooks to /ingest. */
async function incomingLoads(ctx: Ctx, kind: Kind, target: IngestTarget, seqs: SeqSource, failures: string[]): Promise<NonNullable<S1['incoming']>> {
  const p = ctx.profile.s1;
  await closedLoop(target, { concurrency: p.concurrency, durationMs: 1500, run: 'warm-in', seqs });
  const closed: number[] = [];
  for (let i = 0; i < p.runs; i++) {
    const r = await closedLoop(target, { concurrency: p.concurrency, durationMs: p.closedMs, run: `s1-in-closed-${i}`, seqs });
    closed.push(r.rate);
    failures.push(...loadFailures(kind, 'S1 /ingest closed loop', r));
    ctx.log(`  ${kind} S1 /ingest closed loop run ${i + 1}: ${r.rate.toFixed(0)} webhooks/s, p99 ${r.latency.p99.toFixed(1)} ms`);
  }
  await sleep(1000);
  const paced_ = await paced(target, { rate: p.pacedRate, durationMs: p.pacedMs, run: 's1-in-paced', seqs });
  failures.push(...loadFailures(kind, 'S1 /ingest paced', paced_));
  ctx.log(
    `  ${kind} S1 /ingest paced ${p.pacedRate}/s: p50 ${paced_.latency.p50.toFixed(1)} p99 ${paced_.latency.p99.toFixed(1)} ms, ${paced_.ok}/${paced_.sent} accepted`,
  );
  return { closed, closedMedian: median(closed), paced: paced_ };
}

export async function s1(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s1;
  const out = {} as Record<Kind, S1>;
  for (const kind of KINDS) {
    out[kind] = await withSink(fast(1), (_sink, urls) =>
      withSystem(
        kind,
        { name: 's1', workers: false, workerConcurrency: ctx.profile.workerConcurrency, caravanDir: ctx.caravanDir, caravanEnv: ctx.caravanEnv },
        async (dep) => {
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
          const incoming = dep.addSource ? await incomingLoads(ctx, kind, await dep.addSource({ url: urls[0], timeoutS: 5 }), seqs, failures) : undefined;
          return { closed, closedMedian: median(closed), paced: pr, per: perEvent(usage, accepted), usage, failures, incoming };
        },
      ),
    );
  }
  const c = out.caravan;
  const b = out.baseline;
  const q = ctx.profile.quick;
  const ratio = c.closedMedian / b.closedMedian;
  const rows = [
    row(
      'S1',
      'accepted events/s, closed loop',
      'ev/s',
      c.closedMedian,
      b.closedMedian,
      'higher',
      '≥ 3,000 and ≥ 0.4× baseline',
      c.closedMedian >= 3000 && ratio >= 0.4,
      q && ratio < 0.15,
    ),
    row('S1', `ingest p50 at paced ${p.pacedRate}/s`, 'ms', c.paced.latency.p50, b.paced.latency.p50, 'lower'),
    row('S1', `ingest p99 at paced ${p.pacedRate}/s`, 'ms', c.paced.latency.p99, b.paced.latency.p99, 'lower', '≤ 25 ms', c.paced.latency.p99 <= 25),
    row('S1', 'CPU ms per accepted event (api+pg+redis)', 'ms', c.per.cpuMs, b.per.cpuMs, 'lower'),
    row('S1', 'PG transactions per event', '', c.per.xacts, b.per.xacts, 'lower'),
    row('S1', 'PG rows written per event', '', c.per.rows, b.per.rows, 'lower'),
    row('S1', 'PG database bytes per event', 'B', c.per.bytes, b.per.bytes, 'lower'),
  ];
  if (c.incoming) {
    // the baseline column holds Caravan's own POST /events figures of the same run
    const api = ' (baseline column: POST /events, same run)';
    rows.push(
      row(
        'S1',
        `/ingest accepted webhooks/s, closed loop${api}`,
        'ev/s',
        c.incoming.closedMedian,
        c.closedMedian,
        'higher',
        '≥ 0.7× POST /events',
        c.incoming.closedMedian >= 0.7 * c.closedMedian,
      ),
      row(
        'S1',
        `/ingest p99 at paced ${p.pacedRate}/s${api}`,
        'ms',
        c.incoming.paced.latency.p99,
        c.paced.latency.p99,
        'lower',
        '≤ 25 ms',
        c.incoming.paced.latency.p99 <= 25,
      ),
    );
  }
  if (c.per.statements !== undefined && b.per.statements !== undefined)
    rows.push(row('S1', 'PG statements per event', '', c.per.statements, b.per.statements, 'lower'));
  return {
    id: 'S1',
    title: 'ingest only (workers stopped), 1 KiB JSON, durable ack',
    rows,
    failures: [...c.failures, ...b.failures],
    notes: [],
    raw: strip(out),
  };
}
