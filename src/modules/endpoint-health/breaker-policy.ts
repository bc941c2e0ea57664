import type { ProjectConfig } from '../projects';

export type BreakerPhase = 'closed' | 'open' | 'half_open';

/** What every worker agrees on about one endpoint, stored in Redis. */
export interface BreakerState {
  phase: BreakerPhase;
  /** ms since the epoch; when the breaker last opened */
  openedAt: number;
  /** successful probes since the breaker went half-open */
  probeSuccesses: number;
  /** times the breaker opened without closing in between */
  trips: number;
  /** bumped on every write so concurrent writers can compare-and-set */
  version: number;
}

export interface BreakerSettings {
  /** how long an open breaker refuses before letting probes through */
  errorTimeoutMs: number;
  /** percentage of failed attempts in the window that opens the breaker */
  failureThresholdPct: number;
  /** successful probes that close a half-open breaker */
  successThreshold: number;
  /** attempts the window must hold before its failure rate counts */
  minimumRequests: number;
  windowMs: number;
  /** width of one counting bucket */
  bucketMs: number;
}

export interface WindowCounts {
  successes: number;
  failures: number;
}

export const CLOSED: BreakerState = { phase: 'closed', openedAt: 0, probeSuccesses: 0, trips: 0, version: 0 };

/** Convoy's circuit_breaker block, in the units the policy uses. */
export function breakerSettings(cb: ProjectConfig['circuit_breaker']): BreakerSettings {
  const windowMs = Math.max(1, cb.observability_window) * 60_000;
  return {
    errorTimeoutMs: Math.max(1, cb.error_timeout) * 1000,
    failureThresholdPct: Math.min(100, Math.max(1, cb.failure_threshold)),
    successThreshold: Math.max(1, cb.success_threshold),
    minimumRequests: Math.max(1, cb.minimum_request_count),
    windowMs,
    bucketMs: Math.min(windowMs, Math.max(1, cb.sample_rate) * 1000),
  };
}

export function failureRate(c: WindowCounts): number {
  const total = c.successes + c.failures;
  return total === 0 ? 0 : c.failures / total;
}

export type Admission =
  | { kind: 'allow'; next?: BreakerState }
  /** half-open: the caller may send only if it wins the probe slot */
  | { kind: 'probe'; next?: BreakerState }
  | { kind: 'deny'; retryAfterMs: number };

/** May a delivery go out now? `next` is a transition the caller should store. */
export function admit(s: BreakerState, now: number, cfg: BreakerSettings): Admission {
  if (s.phase === 'closed') return { kind: 'allow' };
  if (s.phase === 'half_open') return { kind: 'probe' };
  const reopensAt = s.openedAt + cfg.errorTimeoutMs;
  if (now < reopensAt) return { kind: 'deny', retryAfterMs: reopensAt - now };
  return { kind: 'probe', next: { ...s, phase: 'half_open', probeSuccesses: 0, version: s.version + 1 } };
}

export interface OutcomeEffect {
  next?: BreakerState;
  /** the window restarts when the breaker closes, so old failures cannot reopen it at once */
  resetWindow: boolean;
}

/** The transition after one attempt, given the window's counts including that attempt. */
export function afterOutcome(s: BreakerState, counts: WindowCounts, ok: boolean, now: number, cfg: BreakerSettings): OutcomeEffect {
  const open = (): OutcomeEffect => ({
    next: { phase: 'open', openedAt: now, probeSuccesses: 0, trips: s.trips + 1, version: s.version + 1 },
    resetWindow: false,
  });
  if (s.phase === 'closed') {
    const total = counts.successes + counts.failures;
    if (!ok && total >= cfg.minimumRequests && failureRate(counts) * 100 >= cfg.failureThresholdPct) return open();
    return { resetWindow: false };
  }
  if (s.phase === 'half_open') {
    if (!ok) return open();
    const probeSuccesses = s.probeSuccesses + 1;
    if (probeSuccesses >= cfg.successThreshold) return { next: { ...CLOSED, version: s.version + 1 }, resetWindow: true };
    return { next: { ...s, probeSuccesses, version: s.version + 1 }, resetWindow: false };
  }
  // open: the answer of a send that started before the breaker opened changes nothing
  return { resetWindow: false };
}

/** The bucket an attempt at `now` is counted in. */
export function bucketOf(now: number, cfg: BreakerSettings): number {
  return Math.floor(now / cfg.bucketMs);
}

/** Sums the buckets still inside the window; also names the ones that fell out. */
export function windowCounts(buckets: Record<string, string>, now: number, cfg: BreakerSettings): { counts: WindowCounts; stale: string[] } {
  const oldest = bucketOf(now - cfg.windowMs, cfg) + 1;
  const counts: WindowCounts = { successes: 0, failures: 0 };
  const stale: string[] = [];
  for (const [field, value] of Object.entries(buckets)) {
    const [b, kind] = field.split(':');
    if (Number(b) < oldest) {
      stale.push(field);
      continue;
    }
    if (kind === 's') counts.successes += Number(value);
    else if (kind === 'f') counts.failures += Number(value);
  }
  return { counts, stale };
}
