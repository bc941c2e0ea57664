import type { Receipt } from '../faults/sink';

/** The largest number of receipts in any window of `windowMs` (sliding over every receipt). */
export function maxInWindow(times: number[], windowMs: number): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi] - t[lo] >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

export interface RateLimitScore {
  limit: number;
  durationMs: number;
  sends: number;
  maxPerWindow: number;
  /** what the suite allows in one window: twice the limit plus one (see scoreRateLimit) */
  windowCeiling: number;
  /** sends per second after the first window, when only the refill rate is left */
  steadyPerSecond: number;
  limitPerSecond: number;
  /** worker processes that claimed a delivery of this endpoint */
  workers: number;
  failures: string[];
}

/**
 * One limit shared by every worker. The limiter itself allows at most the limit in any window,
 * but its log lives in Redis, and a failover can lose the last moments of it, so right after
 * one a second burst may follow the first: the suite allows twice the limit plus one in a
 * window, which two per-process limiters would exceed, and after the burst the rate must be
 * the limit's, not twice it. Both workers must have sent, or the check proves nothing.
 */
export function scoreRateLimit(receipts: Receipt[], limit: number, durationMs: number, workers: number): RateLimitScore {
  const times = receipts.map((r) => r.at).sort((a, b) => a - b);
  const windowCeiling = 2 * limit + 1;
  const maxPerWindow = maxInWindow(times, durationMs);
  const after = times.filter((t) => t >= (times[0] ?? 0) + durationMs);
  const span = after.length > 1 ? (after[after.length - 1] - after[0]) / 1000 : 0;
  const steadyPerSecond = span > 0 ? (after.length - 1) / span : 0;
  const limitPerSecond = limit / (durationMs / 1000);
  const failures: string[] = [];
  if (workers < 2) failures.push(`only ${workers} worker(s) delivered to the rate-limited endpoint; the check needs both`);
  if (maxPerWindow > windowCeiling) failures.push(`${maxPerWindow} sends in one ${durationMs} ms window, above the shared limit's ceiling ${windowCeiling}`);
  if (steadyPerSecond > limitPerSecond * 1.3)
    failures.push(`${steadyPerSecond.toFixed(2)} sends/s after the burst, above the limit's ${limitPerSecond.toFixed(2)}/s (+30 %)`);
  return { limit, durationMs, sends: times.length, maxPerWindow, windowCeiling, steadyPerSecond, limitPerSecond, workers, failures };
}

export interface BreakerScore {
  trips: number;
  /** sends that reached the sink while the shared breaker was open, after the grace */
  sendsWhileOpen: number;
  openMs: number;
  workers: number;
  failures: string[];
}

/** How long after a breaker opens a send may still arrive: a worker reuses a closed reading for 250 ms, plus sends in flight. */
export const OPEN_GRACE_MS = 400;

/**
 * One breaker shared by every worker: once any worker opens it in Redis, no worker sends to
 * the endpoint until the error timeout ends. Two per-process breakers would let the other
 * worker keep sending until it tripped on its own.
 */
export function scoreBreaker(receipts: Receipt[], openings: number[], errorTimeoutMs: number, workers: number): BreakerScore {
  let sendsWhileOpen = 0;
  let openMs = 0;
  for (const at of openings) {
    const from = at + OPEN_GRACE_MS;
    const to = at + errorTimeoutMs - 100;
    if (to <= from) continue;
    openMs += to - from;
    sendsWhileOpen += receipts.filter((r) => r.at >= from && r.at < to).length;
  }
  const failures: string[] = [];
  if (openings.length === 0) failures.push('the breaker never opened');
  if (workers < 2) failures.push(`only ${workers} worker(s) sent to the failing endpoint; the check needs both`);
  if (sendsWhileOpen > 0) failures.push(`${sendsWhileOpen} sends arrived while the shared breaker was open`);
  return { trips: openings.length, sendsWhileOpen, openMs, workers, failures };
}
