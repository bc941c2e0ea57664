import { paced, IngestTarget, LoadResult, SeqSource } from '../lib/load';
import { cpuMsTotal, drain, PhaseUsage } from '../lib/measure';
import { BenchSink, SinkMode } from '../lib/sink';
import type { Profile } from '../profile';
import { BaselineDeployment } from '../systems/baseline';
import { CaravanDeployment } from '../systems/caravan';
import type { Deployment, DeployOptions } from '../systems/system';

export interface Ctx {
  profile: Profile;
  caravanDir: string;
  caravanEnv: Record<string, string>;
  statements: boolean;
  log: (s: string) => void;
  /** figures later scenarios compare with (S2 knee, S3 steps) */
  memo: Record<string, Record<Kind, unknown>>;
}

export type Kind = 'caravan' | 'baseline';
export const KINDS: Kind[] = ['caravan', 'baseline'];

/** Starts one system on its own database and prefix, runs `fn`, and always stops it. */
export async function withSystem<T>(kind: Kind, opts: DeployOptions, fn: (dep: Deployment) => Promise<T>): Promise<T> {
  const dep = kind === 'caravan' ? new CaravanDeployment(opts) : new BaselineDeployment(opts);
  try {
    await dep.start();
    return await fn(dep);
  } finally {
    await dep.stop();
  }
}

export async function withSink<T>(modes: SinkMode[], fn: (sink: BenchSink, urls: string[]) => Promise<T>): Promise<T> {
  const sink = new BenchSink();
  const urls = await sink.start(modes);
  try {
    return await fn(sink, urls);
  } finally {
    await sink.stop();
  }
}

export const fast = (n: number): SinkMode[] => Array.from({ length: n }, () => ({ kind: 'fast' }));
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export function perEvent(u: PhaseUsage, events: number): { cpuMs: number; xacts: number; rows: number; bytes: number; statements?: number } {
  const n = Math.max(1, events);
  return {
    cpuMs: cpuMsTotal(u) / n,
    xacts: u.pg ? u.pg.xacts / n : NaN,
    rows: u.pg ? (u.pg.inserted + u.pg.updated + u.pg.deleted) / n : NaN,
    bytes: u.pg ? u.pg.sizeBytes / n : NaN,
    statements: u.pg?.statements !== undefined ? u.pg.statements / n : undefined,
  };
}

export function loadFailures(kind: Kind, label: string, r: LoadResult): string[] {
  return r.errors > 0.005 * r.sent ? [`${kind} ${label}: ${r.errors}/${r.sent} requests failed ${JSON.stringify(r.statuses)}`] : [];
}

export async function warm(sink: BenchSink, target: IngestTarget, seqs: SeqSource, counted: number[]): Promise<void> {
  const r = await paced(target, { rate: 100, durationMs: 1000, run: 'warm', seqs });
  await drain(sink, 'warm', r.accepted, counted, 5000);
}

export function lossFailures(kind: Kind, id: string, d: { lost: number; duplicates: number; expected: number }): string[] {
  return d.lost > 0 ? [`${kind} ${id}: ${d.lost} of ${d.expected} deliveries had not arrived when the final wait (finalDrainMs) ran out`] : [];
}

/** Drops the per-event id lists from raw results: they make the JSON huge and say nothing. */
export function strip(v: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'accepted' && Array.isArray(x) ? x.length : x))) as Record<string, unknown>;
}
