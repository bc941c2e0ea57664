import { performance } from 'node:perf_hooks';
import type { Deployment } from '../systems/system';
import { IngestTarget, paced, SeqSource } from './load';
import { drain, endToEnd } from './measure';
import { accountDeliveries, BenchSink } from './sink';
import { LatencySummary, summarize } from './stats';

export interface StepResult {
  run: string;
  /** offered events/s */
  rate: number;
  sent: number;
  accepted: number[];
  ingest: LatencySummary;
  e2e: LatencySummary;
  perEndpointP99: number[];
  /** deliveries/s to the counted endpoints, measured up to the end of the grace period */
  deliveriesPerS: number;
  complete: boolean;
  pass: boolean;
}

/** p99 below this with a flat backlog is what the spec calls keeping up. */
export const KNEE_P99_MS = 250;

/**
 * One paced step: send at `rate` for `stepMs`, then give the pipeline `graceMs` to deliver
 * everything. The step keeps up when nearly every event was accepted at the offered rate,
 * all of them arrived within the grace period (no growing backlog) and p99 < 250 ms.
 */
export async function step(
  sink: BenchSink,
  target: IngestTarget,
  seqs: SeqSource,
  run: string,
  rate: number,
  stepMs: number,
  graceMs: number,
  counted: number[],
): Promise<StepResult> {
  const t0 = performance.now();
  const load = await paced(target, { rate, durationMs: stepMs, run, seqs });
  const stepEnd = performance.now();
  const d = await drain(sink, run, load.accepted, counted, graceMs, graceMs);
  const cutoff = stepEnd + graceMs;
  const arrivals = sink.ofRun(run).filter((a) => a.receivedAt <= cutoff);
  const acc = accountDeliveries(arrivals, load.accepted, counted);
  const last = arrivals.reduce((m, a) => Math.max(m, a.receivedAt), t0);
  const deliveriesPerS = (acc.unique * 1000) / Math.max(stepMs, last - t0);
  const e2e = endToEnd(sink.ofRun(run), counted);
  const perEndpointP99 = counted.map(
    (ep) =>
      summarize(
        sink
          .ofRun(run)
          .filter((a) => a.endpoint === ep)
          .map((a) => a.receivedAt - a.sentAt),
      ).p99,
  );
  const pass = load.ok >= 0.99 * load.sent && load.sent >= (0.95 * (rate * stepMs)) / 1000 && d.complete && e2e.p99 < KNEE_P99_MS;
  return { run, rate, sent: load.sent, accepted: load.accepted, ingest: load.latency, e2e, perEndpointP99, deliveriesPerS, complete: d.complete, pass };
}

/**
 * Steps up through `rates` until one does not keep up; the knee is the last that did. A
 * step that falls behind is run again (after its backlog drained, bounded) up to
 * `repeats` times in all, and keeps up when most of its runs did, so one noisy run does
 * not move the knee. `steps` holds one run per rate (the median by ingest→sink p99),
 * `runs` every run, for counting loss.
 */
export async function ladder(
  dep: Deployment,
  sink: BenchSink,
  target: IngestTarget,
  seqs: SeqSource,
  tag: string,
  rates: number[],
  stepMs: number,
  graceMs: number,
  counted: number[],
  log: (s: string) => void,
  repeats = 1,
): Promise<{ steps: StepResult[]; runs: StepResult[]; knee: number }> {
  const steps: StepResult[] = [];
  const runs: StepResult[] = [];
  let knee = 0;
  for (const rate of rates) {
    const mine: StepResult[] = [];
    for (let i = 0; i < repeats; i++) {
      if (i > 0) {
        // the backlog a failed run left would count against the next one
        const prev = mine[i - 1];
        await drain(sink, prev.run, prev.accepted, counted, 60_000, 10_000);
      }
      const s = await step(sink, target, seqs, i === 0 ? `${tag}-${rate}` : `${tag}-${rate}-r${i + 1}`, rate, stepMs, graceMs, counted);
      mine.push(s);
      log(
        `  ${dep.kind} ${tag} ${rate}/s${repeats > 1 ? ` (run ${i + 1})` : ''}: accepted ${s.accepted.length}/${s.sent}, e2e p50 ${s.e2e.p50.toFixed(1)} p99 ${s.e2e.p99.toFixed(1)} ms, ${s.deliveriesPerS.toFixed(0)} deliveries/s, ${s.pass ? 'keeps up' : 'falls behind'}`,
      );
      const passes = mine.filter((r) => r.pass).length;
      // decided: a majority either way, or the first run kept up
      if (passes > repeats / 2 || mine.length - passes >= repeats / 2 || (i === 0 && s.pass)) break;
    }
    runs.push(...mine);
    const passed = mine.filter((r) => r.pass).length > mine.length / 2;
    const byP99 = [...mine].sort((a, b) => a.e2e.p99 - b.e2e.p99);
    steps.push({ ...byP99[Math.floor((byP99.length - 1) / 2)], pass: passed });
    if (!passed) break;
    knee = rate;
  }
  return { steps, runs, knee };
}

/** After a ladder: waits (bounded) for every accepted event, then counts loss and duplicates. */
export async function settle(
  sink: BenchSink,
  steps: StepResult[],
  counted: number[],
  maxMs: number,
): Promise<{ lost: number; duplicates: number; expected: number }> {
  let lost = 0;
  let duplicates = 0;
  let expected = 0;
  const deadline = performance.now() + maxMs;
  for (const s of steps) {
    await drain(sink, s.run, s.accepted, counted, Math.max(1000, deadline - performance.now()));
    const acc = accountDeliveries(sink.ofRun(s.run), s.accepted, counted);
    lost += acc.lost;
    duplicates += acc.duplicates;
    expected += acc.expected;
  }
  return { lost, duplicates, expected };
}
