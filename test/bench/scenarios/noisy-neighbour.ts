import { settle, step, StepResult } from '../lib/ladder';
import { SeqSource } from '../lib/load';
import type { SinkMode } from '../lib/sink';
import { row, ScenarioResult } from '../report-types';
import { Ctx, KINDS, Kind, fast, lossFailures, range, strip, warm, withSink, withSystem } from './common';
import type { Deliver } from './delivery';

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
      withSystem(
        kind,
        { name: 's4', workers: true, workerConcurrency: ctx.profile.workerConcurrency, caravanDir: ctx.caravanDir, caravanEnv: ctx.caravanEnv },
        async (dep) => {
          const target = await dep.addEndpoints(urls.map((url) => ({ url, timeoutS: p.timeoutS })));
          const seqs = new SeqSource();
          await warm(sink, target, seqs, healthy);
          const st = await step(sink, target, seqs, 's4', rate, p.stepMs, p.graceMs, healthy);
          ctx.log(`  ${kind} S4 ${rate}/s: healthy p99 ${st.e2e.p99.toFixed(1)} ms, ${st.deliveriesPerS.toFixed(0)} healthy deliveries/s`);
          const loss = await settle(sink, [st], healthy, ctx.profile.finalDrainMs);
          return { rate, step: st, reference: s3?.[kind].steps.find((s) => s.rate === rate), ...loss };
        },
      ),
    );
  }
  const c = out.caravan;
  const b = out.baseline;
  const ref = (n: Noisy): { p99: number; tput: number } => ({
    p99: n.reference?.e2e.p99 ?? NaN,
    tput: ((n.reference?.deliveriesPerS ?? NaN) * healthy.length) / 10,
  });
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
  return {
    id: 'S4',
    title: 'noisy neighbour: 7 healthy + one 500, one hanging, one refusing',
    rows,
    failures: [...lossFailures('caravan', 'S4', c), ...lossFailures('baseline', 'S4', b)],
    notes: [`endpoint timeout ${p.timeoutS} s`],
    raw: strip(out),
  };
}
