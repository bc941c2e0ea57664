import { performance } from 'node:perf_hooks';
import type { Deployment } from '../systems/system';
import type { LoadResult } from './load';
import { counterDelta, pgCounters, PgCounters } from './pg';
import { GroupUsage, ProcSampler } from './proc';
import { accountDeliveries, Arrival, BenchSink } from './sink';
import { sleep, summarize, LatencySummary } from './stats';

/** Ingest→sink latency of a run's arrivals (first arrival of each event per endpoint). */
export function endToEnd(arrivals: readonly Arrival[], endpoints?: readonly number[]): LatencySummary {
  const eps = endpoints ? new Set(endpoints) : undefined;
  const seen = new Set<string>();
  const lat: number[] = [];
  for (const a of arrivals) {
    if (eps && !eps.has(a.endpoint)) continue;
    const k = `${a.seq}:${a.endpoint}`;
    if (seen.has(k)) continue;
    seen.add(k);
    lat.push(a.receivedAt - a.sentAt);
  }
  return summarize(lat);
}

/**
 * Waits until every accepted event of `run` reached each of `endpoints`, or progress stops
 * for `stallMs`, or `maxMs` passes. Returns when the last expected arrival landed.
 */
export async function drain(
  sink: BenchSink,
  run: string,
  accepted: readonly number[],
  endpoints: readonly number[],
  maxMs: number,
  stallMs = 15_000,
): Promise<{ complete: boolean; lastArrivalAt: number }> {
  const expected = accepted.length * endpoints.length;
  const deadline = performance.now() + maxMs;
  let lastCount = -1;
  let lastChange = performance.now();
  for (;;) {
    const arr = sink.ofRun(run);
    const acc = accountDeliveries(arr, accepted, endpoints);
    const lastArrivalAt = arr.reduce((m, a) => Math.max(m, a.receivedAt), 0);
    if (acc.unique >= expected) return { complete: true, lastArrivalAt };
    const now = performance.now();
    if (acc.unique !== lastCount) {
      lastCount = acc.unique;
      lastChange = now;
    }
    if (now > deadline || now - lastChange > stallMs) return { complete: false, lastArrivalAt };
    await sleep(100);
  }
}

export interface PhaseUsage {
  groups: Record<string, GroupUsage>;
  pg?: PgCounters;
  pgStatements: boolean;
}

/** CPU/RSS of the processes and PostgreSQL write counters over one phase. */
export class PhaseMeter {
  private sampler: ProcSampler;
  private before?: PgCounters;

  /**
   * `pgSettleMs`: idle backends publish their statistics only every ~10 s (PostgreSQL 15),
   * so exact per-event counts need that long a pause after the phase; 0 skips the counts.
   */
  constructor(
    private readonly dep: Deployment,
    private readonly withStatements: boolean,
    private readonly pgSettleMs: number,
  ) {
    this.sampler = new ProcSampler(async () => ({ ...(await dep.pidGroups()), harness: [process.pid] }));
  }

  async start(): Promise<void> {
    this.before = await pgCounters(this.dep.db, this.withStatements, this.dep.pgServer);
    await this.sampler.start();
  }

  async stop(): Promise<PhaseUsage> {
    const groups = await this.sampler.stop();
    if (this.pgSettleMs <= 0) return { groups, pgStatements: false };
    await sleep(this.pgSettleMs);
    const after = await pgCounters(this.dep.db, this.withStatements, this.dep.pgServer);
    return { groups, pg: counterDelta(this.before!, after), pgStatements: this.withStatements };
  }
}

/** CPU of the system under test: everything sampled except the load generator and sink. */
export function cpuMsTotal(u: PhaseUsage): number {
  return Object.entries(u.groups).reduce((s, [name, g]) => (name === 'harness' ? s : s + g.cpuMs), 0);
}

export function okRate(r: LoadResult): number {
  return r.sent ? r.ok / r.sent : 0;
}
