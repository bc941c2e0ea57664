import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { summarize, LatencySummary } from './stats';

/** How a system under test takes one event: the request for benchmark sequence `seq`. */
export interface IngestTarget {
  origin: string;
  headers: Record<string, string>;
  /** path and body of event `seq`, scheduled at `at` (performance.now()), in run `run`, and headers of its own (a signature) */
  request(seq: number, at: number, run: string): { path: string; body: string; headers?: Record<string, string> };
  /** takes event `seq` another way than an HTTP request (a broker publish); answers an HTTP-like status */
  send?(seq: number, at: number, run: string): Promise<number>;
}

const PAD = 'x'.repeat(1024 - 120);

/** ~1 KiB of JSON whose first bytes carry the sequence, the scheduled time and the run tag. */
export function benchData(seq: number, at: number, run: string): string {
  return `{"bench":{"s":${seq},"t":${at.toFixed(3)},"r":"${run}"},"kind":"invoice.paid","amount":4200,"currency":"EUR","pad":"${PAD}"}`;
}

export interface LoadResult {
  sent: number;
  ok: number;
  errors: number;
  /** statuses other than 2xx, by code (0 = transport error) */
  statuses: Record<string, number>;
  /** events whose send was skipped because too many were already in flight */
  shed: number;
  accepted: number[];
  elapsedMs: number;
  rate: number;
  latency: LatencySummary;
}

/** A seq counter shared by all generators of a scenario, so seqs never repeat. */
export class SeqSource {
  private n = 0;
  next(): number {
    return ++this.n;
  }
}

function makePool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
}

async function sendOne(pool: Pool, target: IngestTarget, seq: number, at: number, run: string): Promise<number> {
  if (target.send) return target.send(seq, at, run).catch(() => 0);
  const { path, body, headers } = target.request(seq, at, run);
  try {
    const res = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json', ...target.headers, ...headers }, body });
    await res.body.dump();
    return res.statusCode;
  } catch {
    return 0;
  }
}

/**
 * Open loop at a constant arrival rate: event i is due at start + i/rate whatever happened
 * to earlier ones, and its latency counts from that due time, so a stall shows up in the
 * percentiles instead of silently slowing the generator (no coordinated omission).
 */
export async function paced(
  target: IngestTarget,
  opts: { rate: number; durationMs: number; run: string; seqs: SeqSource; maxInFlight?: number; connections?: number },
): Promise<LoadResult> {
  const pool = makePool(target.origin, opts.connections ?? 64);
  const maxInFlight = opts.maxInFlight ?? 4000;
  const total = Math.max(1, Math.round((opts.rate * opts.durationMs) / 1000));
  const interval = 1000 / opts.rate;
  const lat: number[] = [];
  const accepted: number[] = [];
  const statuses: Record<string, number> = {};
  let inFlight = 0;
  let shed = 0;
  let sent = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now() + 5;
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    else if (i % 8 === 0) await new Promise((r) => setImmediate(r));
    if (inFlight >= maxInFlight) {
      shed++;
      continue;
    }
    const seq = opts.seqs.next();
    inFlight++;
    sent++;
    pending.push(
      sendOne(pool, target, seq, due, opts.run).then((status) => {
        inFlight--;
        lat.push(performance.now() - due);
        if (status >= 200 && status < 300) accepted.push(seq);
        else statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(pending);
  const elapsedMs = performance.now() - start;
  await pool.close();
  const errors = sent - accepted.length;
  return { sent, ok: accepted.length, errors, statuses, shed, accepted, elapsedMs, rate: (accepted.length * 1000) / elapsedMs, latency: summarize(lat) };
}

/**
 * Closed loop for ceilings: `concurrency` senders each wait for an answer before the next
 * send, for `durationMs` or `maxEvents`, whichever ends first.
 */
export async function closedLoop(
  target: IngestTarget,
  opts: { concurrency: number; durationMs: number; maxEvents?: number; run: string; seqs: SeqSource },
): Promise<LoadResult> {
  const pool = makePool(target.origin, opts.concurrency);
  const lat: number[] = [];
  const accepted: number[] = [];
  const statuses: Record<string, number> = {};
  const maxEvents = opts.maxEvents ?? Number.MAX_SAFE_INTEGER;
  let sent = 0;
  const start = performance.now();
  const end = start + opts.durationMs;
  const lane = async (): Promise<void> => {
    while (performance.now() < end && sent < maxEvents) {
      sent++;
      const seq = opts.seqs.next();
      const t = performance.now();
      const status = await sendOne(pool, target, seq, t, opts.run);
      lat.push(performance.now() - t);
      if (status >= 200 && status < 300) accepted.push(seq);
      else statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, () => lane()));
  const elapsedMs = performance.now() - start;
  await pool.close();
  return {
    sent,
    ok: accepted.length,
    errors: sent - accepted.length,
    statuses,
    shed: 0,
    accepted,
    elapsedMs,
    rate: (accepted.length * 1000) / elapsedMs,
    latency: summarize(lat),
  };
}
