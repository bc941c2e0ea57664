import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { deliveryLeaseMs } from '../../common/delivery-lease';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { HealthMetrics } from '../../../libs/observability/metrics';
import type { EndpointEntity } from '../endpoints';
import type { ProjectEntity } from '../projects';
import { admit, BreakerSettings, breakerSettings, CLOSED } from './breaker-policy';
import { EndpointHealthStore } from './endpoint-health.store';
import { LocalBreakers } from './local-breakers';

export type DeferReason = 'rate_limit' | 'concurrency' | 'circuit_open' | 'circuit_probe';

/** Permission to send one delivery; give it back with `settle` or `release`. */
export interface Pass {
  endpointId: string;
  token: string;
  slot: boolean;
  probe: boolean;
  cfg: BreakerSettings;
}

export type GateDecision = { kind: 'go'; pass: Pass } | { kind: 'defer'; reason: DeferReason; delayMs: number; rateBooked: boolean };

/** What the delivery's previous deferrals left for this attempt (carried in its job). */
export interface GateHints {
  /** the rate limiter already reserved this send when it deferred it */
  rateBooked?: boolean;
  /** deferrals in a row for a full concurrency cap or a taken probe, to back off from an unhealthy endpoint */
  deferrals?: number;
}

/** How long a delivery waits when another worker holds the half-open probe. */
const PROBE_WAIT_MS = 1000;
/** A rate-limited send is reserved at most this far ahead (within the queue's delay range). */
const RATE_BOOKING_HORIZON_MS = 5 * 60 * 1000;
/** Longest backoff spread for an open breaker's backlog. */
const MAX_BUSY_BACKOFF_MS = 30_000;
/** Longest wait for a slot under a full concurrency cap, however long the endpoint's timeout. */
const MAX_CONCURRENCY_BACKOFF_MS = 2_000;
/**
 * A closed breaker read is reused this long per process: it saves a Redis round trip per
 * delivery, and a breaker that opens elsewhere is seen at most this late.
 */
const CLOSED_STATE_TTL_MS = 250;
const MAX_CACHED_STATES = 10_000;

function jitter(ms: number): number {
  return Math.floor(Math.random() * ms);
}

/** The rate an endpoint is held to: its own, else the project's; count 0 = unlimited. */
export function effectiveRate(
  endpoint: Pick<EndpointEntity, 'rateLimit' | 'rateLimitDuration'>,
  project: Pick<ProjectEntity, 'config'>,
): { count: number; periodMs: number } {
  if (endpoint.rateLimit > 0) {
    return { count: endpoint.rateLimit, periodMs: Math.max(1, endpoint.rateLimitDuration || project.config.ratelimit.duration || 1) * 1000 };
  }
  const r = project.config.ratelimit;
  return { count: Math.max(0, r.count), periodMs: Math.max(1, r.duration) * 1000 };
}

/**
 * The concurrency cap an endpoint is held to. ENDPOINT_MAX_CONCURRENCY is the operator's
 * ceiling: an endpoint's `max_concurrency` may lower it, never raise it, so no tenant can
 * take a worker's slots by pointing a high cap at a slow receiver. 0 = no cap.
 */
export function effectiveConcurrency(endpointCap: number | null, operatorCap: number): number {
  const own = endpointCap !== null && endpointCap > 0 ? endpointCap : 0;
  if (operatorCap <= 0) return own;
  return own > 0 ? Math.min(own, operatorCap) : operatorCap;
}

/**
 * Decides, before a delivery is claimed, whether its endpoint may take one more send now:
 * circuit breaker, concurrency cap and rate limit, all shared across workers through
 * Redis. A refusal is a deferral with a delay, never a spent retry and never a worker slot
 * spent waiting. When Redis is away the gate lets deliveries through: protection is best
 * effort, delivery is not.
 */
@Injectable()
export class EndpointGate implements OnApplicationShutdown {
  private readonly logger = new Logger(EndpointGate.name);
  private readonly local: LocalBreakers;
  private readonly closedUntil = new Map<string, number>();
  private lastWarn = 0;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly store: EndpointHealthStore,
    private readonly metrics: HealthMetrics,
  ) {
    this.local = new LocalBreakers((id) => void this.tripShared(id));
  }

  onApplicationShutdown(): void {
    this.local.shutdown();
  }

  async admit(endpoint: EndpointEntity, project: ProjectEntity, hints: GateHints = {}): Promise<GateDecision> {
    const cfg = breakerSettings(project.config.circuit_breaker);
    const pass: Pass = { endpointId: endpoint.id, token: randomUUID(), slot: false, probe: false, cfg };
    const leaseMs = deliveryLeaseMs(endpoint.httpTimeout, this.config.leaseGraceMs);
    try {
      const now = Date.now();
      const state = (this.closedUntil.get(endpoint.id) ?? 0) > now ? CLOSED : await this.store.breaker(endpoint.id);
      if (state.phase === 'closed' && state !== CLOSED) this.rememberClosed(endpoint.id, now);
      const a = admit(state, now, cfg);
      this.metrics.breakerPhase(endpoint.id, state.phase);
      this.local.follow(endpoint.id, cfg, a.kind !== 'deny' && a.next ? a.next.phase : state.phase);
      // the backlog of an open endpoint returns spread over a window, not all at the reopening instant
      if (a.kind === 'deny') return this.defer('circuit_open', a.retryAfterMs + jitter(Math.min(cfg.errorTimeoutMs, MAX_BUSY_BACKOFF_MS)));
      if (a.next) {
        await this.store.compareAndSet(endpoint.id, state, a.next);
        this.metrics.breakerPhase(endpoint.id, a.next.phase);
      }
      if (a.kind === 'probe') {
        if (!(await this.store.takeProbe(endpoint.id, leaseMs, pass.token))) {
          const wait = Math.min(PROBE_WAIT_MS * 2 ** Math.min(hints.deferrals ?? 0, 16), Math.max(PROBE_WAIT_MS, cfg.errorTimeoutMs));
          return this.defer('circuit_probe', wait + jitter(wait));
        }
        pass.probe = true;
      }
      const cap = effectiveConcurrency(endpoint.maxConcurrency, this.config.endpointMaxConcurrency);
      if (cap > 0) {
        if (!(await this.store.acquireSlot(endpoint.id, cap, leaseMs, pass.token))) {
          await this.release(pass);
          return this.defer('concurrency', this.busyBackoffMs(endpoint, hints.deferrals ?? 0));
        }
        pass.slot = true;
      }
      const rate = effectiveRate(endpoint, project);
      if (rate.count > 0 && !hints.rateBooked) {
        const { waitMs, booked } = await this.store.takeRateToken(endpoint.id, rate.count, rate.periodMs, RATE_BOOKING_HORIZON_MS);
        if (waitMs > 0) {
          await this.release(pass);
          // a booked send comes back exactly on time; an unbooked one must not all return at once
          return this.defer('rate_limit', booked ? waitMs : waitMs + jitter(waitMs), booked);
        }
      }
      return { kind: 'go', pass };
    } catch (e) {
      this.warn(`endpoint gate unavailable, sending without it: ${(e as Error).message}`);
      await this.release(pass).catch(() => undefined);
      return { kind: 'go', pass: { ...pass, slot: false, probe: false } };
    }
  }

  /** Sends through this process' breaker for the endpoint. */
  run<T>(pass: Pass, send: () => Promise<T>, failed: (r: T) => boolean): Promise<T> {
    return this.local.run(pass.endpointId, pass.cfg, send, failed);
  }

  /** Gives back the slot and probe of a pass that was not used (e.g. the claim failed). */
  async release(pass: Pass): Promise<void> {
    try {
      if (pass.slot) await this.store.releaseSlot(pass.endpointId, pass.token);
      if (pass.probe) await this.store.releaseProbe(pass.endpointId);
    } catch (e) {
      this.warn(`could not release an endpoint slot (its lease will): ${(e as Error).message}`);
    }
    pass.slot = false;
    pass.probe = false;
  }

  /**
   * Records the attempt in the shared breaker. Returns the consecutive failures so far,
   * or undefined when Redis could not say.
   */
  async settle(pass: Pass, ok: boolean): Promise<number | undefined> {
    // the slot goes back with the breaker record (one round trip); a probe separately
    const slot = pass.slot ? pass.token : undefined;
    pass.slot = false;
    await this.release(pass);
    try {
      const rec = await this.store.record(pass.endpointId, ok, Date.now(), pass.cfg, slot);
      if (rec.state.phase !== 'closed') this.closedUntil.delete(pass.endpointId);
      this.metrics.breakerPhase(pass.endpointId, rec.state.phase);
      if (rec.transitioned) this.logger.log({ endpointId: pass.endpointId, phase: rec.state.phase, failureRate: rec.failureRatePct }, 'circuit breaker moved');
      return rec.consecutiveFailures;
    } catch (e) {
      if (slot) await this.store.releaseSlot(pass.endpointId, slot).catch(() => undefined);
      this.warn(`could not record an attempt in the breaker: ${(e as Error).message}`);
      return undefined;
    }
  }

  private rememberClosed(endpointId: string, now: number): void {
    if (this.closedUntil.size >= MAX_CACHED_STATES) this.closedUntil.clear();
    this.closedUntil.set(endpointId, now + CLOSED_STATE_TTL_MS);
  }

  private defer(reason: DeferReason, delayMs: number, rateBooked = false): GateDecision {
    this.metrics.deferred(reason);
    return { kind: 'defer', reason, delayMs: Math.max(rateBooked ? 1 : 50, Math.ceil(delayMs)), rateBooked };
  }

  /**
   * Doubles from ENDPOINT_BUSY_DEFER_MS with each deferral in a row, up to the endpoint's
   * timeout: a busy fast endpoint is retried soon, while the backlog of a hanging one
   * stops polling it several times a second.
   */
  private busyBackoffMs(endpoint: EndpointEntity, deferrals: number): number {
    const base = this.config.endpointBusyDeferMs;
    // a full cap at a fast endpoint frees within milliseconds; waiting seconds there starved
    // it (measured: 0.15x the baseline's throughput), so the busy backoff stays short
    const ceiling = Math.max(base, Math.min(endpoint.httpTimeout * 1000, MAX_CONCURRENCY_BACKOFF_MS));
    const delay = Math.min(base * 2 ** Math.min(deferrals, 16), ceiling);
    return delay + jitter(delay);
  }

  /** This process' breaker opened on its own numbers: open the shared one too. */
  private async tripShared(endpointId: string): Promise<void> {
    try {
      const s = await this.store.breaker(endpointId);
      if (s.phase === 'open') return;
      await this.store.compareAndSet(endpointId, s, { phase: 'open', openedAt: Date.now(), probeSuccesses: 0, trips: s.trips + 1, version: s.version + 1 });
    } catch (e) {
      this.warn(`could not share a breaker trip: ${(e as Error).message}`);
    }
  }

  private warn(msg: string): void {
    const now = Date.now();
    if (now - this.lastWarn < 10_000) return;
    this.lastWarn = now;
    this.logger.warn(msg);
  }
}
