import { settle, step, StepResult } from '../lib/ladder';
import { paced, SeqSource } from '../lib/load';
import type { SinkMode } from '../lib/sink';
import { row, ScenarioResult } from '../report-types';
import { Ctx, KINDS, Kind, lossFailures, strip, warm, withSink, withSystem } from './common';

interface Tenants {
  alone: StepResult;
  beside: StepResult;
  lost: number;
  duplicates: number;
  expected: number;
}

/**
 * S8, two tenants on one deployment: a normal one sends a steady trickle to a fast
 * endpoint, first alone, then while a hostile one floods three endpoints that hang until
 * their timeout. What counts is the normal tenant's ingest→sink latency beside the hostile
 * one, against its own latency alone. The baseline has no tenants and no isolation: it
 * shows what the flood does to a pipeline without them.
 */
export async function s8(ctx: Ctx): Promise<ScenarioResult> {
  const p = ctx.profile.s8;
  const normalIdx = [0];
  const modes: SinkMode[] = [{ kind: 'fast' }, { kind: 'hang' }, { kind: 'hang' }, { kind: 'hang' }];
  const out = {} as Record<Kind, Tenants>;
  for (const kind of KINDS) {
    out[kind] = await withSink(modes, (sink, urls) =>
      withSystem(
        kind,
        { name: 's8', workers: true, workerConcurrency: ctx.profile.workerConcurrency, caravanDir: ctx.caravanDir, caravanEnv: ctx.caravanEnv },
        async (dep) => {
          const normal = await dep.addEndpoints([{ url: urls[0], timeoutS: p.timeoutS }]);
          const hostile = await dep.addEndpoints(urls.slice(1).map((url) => ({ url, timeoutS: p.timeoutS })));
          const seqs = new SeqSource();
          await warm(sink, normal, seqs, normalIdx);
          const alone = await step(sink, normal, seqs, 's8-alone', p.normalRate, p.stepMs, p.graceMs, normalIdx);
          // the flood runs from before the measured step to its end, so the step sees it at full strength
          const flood = paced(hostile, { rate: p.hostileRate, durationMs: p.stepMs + p.leadMs, run: 's8-hostile', seqs });
          await new Promise((r) => setTimeout(r, p.leadMs));
          const beside = await step(sink, normal, seqs, 's8-beside', p.normalRate, p.stepMs, p.graceMs, normalIdx);
          await flood;
          ctx.log(`  ${kind} S8: normal tenant p99 alone ${alone.e2e.p99.toFixed(1)} ms, beside the hostile one ${beside.e2e.p99.toFixed(1)} ms`);
          const loss = await settle(sink, [alone, beside], normalIdx, ctx.profile.finalDrainMs);
          return { alone, beside, ...loss };
        },
      ),
    );
  }
  const c = out.caravan;
  const b = out.baseline;
  const growth = c.beside.e2e.p99 / c.alone.e2e.p99;
  return {
    id: 'S8',
    title: 'hostile neighbour: a normal tenant next to one flooding endpoints that hang',
    rows: [
      row('S8', 'normal tenant ingest→sink p99, alone', 'ms', c.alone.e2e.p99, b.alone.e2e.p99, 'lower'),
      row('S8', 'normal tenant ingest→sink p50, beside the hostile tenant', 'ms', c.beside.e2e.p50, b.beside.e2e.p50, 'lower'),
      row('S8', 'normal tenant ingest→sink p99, beside the hostile tenant', 'ms', c.beside.e2e.p99, b.beside.e2e.p99, 'lower'),
      row('S8', 'normal tenant p99 beside ÷ alone', '×', growth, b.beside.e2e.p99 / b.alone.e2e.p99, 'lower', '≤ 2', growth <= 2),
      row('S8', "normal tenant's deliveries missing after the final wait", '', c.lost, b.lost, 'lower', '0', c.lost === 0),
    ],
    // the baseline has no isolation: its normal tenant starving is what the scenario shows, not a harness failure
    failures: lossFailures('caravan', 'S8', c),
    notes: [
      `normal tenant ${p.normalRate} ev/s to one fast endpoint; hostile tenant ${p.hostileRate} ev/s fanned out to 3 endpoints that hang for ${p.timeoutS} s`,
    ],
    raw: strip(out),
  };
}
