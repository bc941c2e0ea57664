import CircuitBreaker from 'opossum';
import type { BreakerPhase, BreakerSettings } from './breaker-policy';

/** A failed attempt, thrown inside opossum so its rolling stats count it. */
class FailedAttempt<T> extends Error {
  constructor(readonly outcome: T) {
    super('attempt failed');
  }
}

const MAX_BREAKERS = 10_000;

/**
 * One opossum breaker per endpoint in this process. The shared record in Redis is the
 * authority: each breaker is made to follow it before a send, and when a breaker trips on
 * this process' own numbers first, `onTrip` carries that to the other workers.
 */
export class LocalBreakers {
  private readonly breakers = new Map<string, { breaker: CircuitBreaker<[() => Promise<unknown>], unknown>; key: string }>();
  private following = false;

  constructor(private readonly onTrip: (endpointId: string) => void) {}

  /** Makes this process' breaker agree with the shared phase; returns whether it is open. */
  follow(endpointId: string, cfg: BreakerSettings, phase: BreakerPhase): boolean {
    const b = this.get(endpointId, cfg);
    this.following = true;
    try {
      if (phase === 'open' && !b.opened) b.open();
      else if (phase !== 'open' && !b.closed) b.close();
    } finally {
      this.following = false;
    }
    return b.opened;
  }

  /** Runs a send through the endpoint's breaker; `failed` says which results count as failures. */
  async run<T>(endpointId: string, cfg: BreakerSettings, send: () => Promise<T>, failed: (r: T) => boolean): Promise<T> {
    const b = this.get(endpointId, cfg);
    // Admission already happened against the shared state: a local trip or a reset timer
    // since then must not drop a claimed delivery, so anything but closed sends directly.
    if (!b.closed) return send();
    let sent = false;
    try {
      return (await b.fire(async () => {
        sent = true;
        const r = await send();
        if (failed(r)) throw new FailedAttempt(r);
        return r;
      })) as T;
    } catch (e) {
      if (e instanceof FailedAttempt) return e.outcome as T;
      if (!sent) return send();
      throw e;
    }
  }

  phase(endpointId: string): BreakerPhase | undefined {
    const b = this.breakers.get(endpointId)?.breaker;
    if (!b) return undefined;
    return b.opened ? 'open' : b.halfOpen ? 'half_open' : 'closed';
  }

  shutdown(): void {
    for (const { breaker } of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  private get(endpointId: string, cfg: BreakerSettings): CircuitBreaker<[() => Promise<unknown>], unknown> {
    const key = `${cfg.errorTimeoutMs}/${cfg.failureThresholdPct}/${cfg.minimumRequests}/${cfg.windowMs}/${cfg.bucketMs}`;
    const hit = this.breakers.get(endpointId);
    if (hit && hit.key === key) return hit.breaker;
    hit?.breaker.shutdown();
    if (this.breakers.size >= MAX_BREAKERS) this.shutdown();
    const breaker = new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
      name: endpointId,
      timeout: false,
      resetTimeout: cfg.errorTimeoutMs,
      errorThresholdPercentage: cfg.failureThresholdPct,
      volumeThreshold: cfg.minimumRequests,
      rollingCountTimeout: cfg.windowMs,
      rollingCountBuckets: Math.max(1, Math.round(cfg.windowMs / cfg.bucketMs)),
      rollingPercentilesEnabled: false,
    });
    breaker.on('open', () => {
      if (!this.following) this.onTrip(endpointId);
    });
    this.breakers.set(endpointId, { breaker, key });
    return breaker;
  }
}
