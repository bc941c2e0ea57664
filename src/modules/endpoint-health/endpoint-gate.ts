import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { deliveryLeaseMs } from '../../common/delivery-lease';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { HealthMetrics } from '../../../libs/observability/metrics';
import type { EndpointEntity } from '../endpoints';
import type { ProjectEntity } from '../projects';
import { admit, BreakerSettings, breakerSettings, CLOSED } from './breaker-policy';
import { EndpointHealthStore } from './endpoint-health.store';
import { HeldSlot, IdleSlots } from './idle-slots';
import { LocalBreakers } from './local-breakers';
import { bookingHorizonMs, rateWindowMs } from './rate-window';

export type DeferReason = 'rate_limit' | 'concurrency' | 'circuit_open' | 'circuit_probe';

/** Permission to send one delivery; give it back with `settle` or `release`. */
export interface Pass {
  endpointId: string;
  token: string;
  slot: boolean;
  /** the concurrency slot held, when `slot` */
  held?: HeldSlot;
  probe: boolean;
  /** admitted by a closed breaker (a success then needs no breaker read) */
  closed: boolean;
  cfg: BreakerSettings;
  /** the endpoint's rate window, checked again right before the send (see beforeSend) */
  rate?: { count: number; windowMs: number; token: string };
}

export type GateDecision = { kind: 'go'; pass: Pass } | { kind: 'defer'; reason: DeferReason; delayMs: number; rateToken?: string };

/** What the delivery's previous deferrals left for this attempt (carried in its job). */
export interface GateHints {
  /** the rate limiter reserved this send under this token when it deferred it */
  rateToken?: string;
  /** a reservation made under a token not carried (jobs from before rate tokens) */
  rateBooked?: boolean;
  /** deferrals in a row for a full concurrency cap or a taken probe, to back off from an unhealthy endpoint */
  deferrals?: number;
}

/** How long a delivery waits when another worker holds the half-open probe. */
const PROBE_WAIT_MS = 1000;
/** A send the rate window holds back for longer than this at its last check is given back, not waited for. */
const MAX_RATE_WAIT_MS = 1000;
/** Longest backoff spread for an open breaker's backlog. */
const MAX_BUSY_BACKOFF_MS = 30_000;
/** Longest wait for a slot under a full concurrency cap, however long the endpoint's timeout. */
const MAX_CONCURRENCY_BACKOFF_MS = 2_000;
/**
 * A closed breaker read is reused this long per process: it saves a Redis round trip per
 * delivery, and a breaker that opens elsewhere is seen at most this late.
 */
const CLOSED_STATE_TTL_MS = 250;
/**
 * A delivery refused by a full concurrency cap for the first time waits this long in the
 * process for one of the endpoint's slots that this process gives back, instead of going
 * back to Redis as a delayed job at once: at a fast endpoint a slot frees within
 * milliseconds, and the round trip through the delayed set cost more than the send. Only
 * for an endpoint whose recent sends took less than this: a slow one's deliveries would
 * hold worker slots for nothing.
 */
const SLOT_WAIT_MS = 100;
/** At most this many deliveries per endpoint wait so in one process; the rest are deferred. */
const MAX_SLOT_WAITERS = 5;
/** A slot given back stays with this process this long for the endpoint's next delivery (see IdleSlots). */
const SLOT_HOLD_MS = 20;
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
  /** each endpoint's recent send time in this process (a moving average), in ms */
  private readonly sendMs = new Map<string, number>();
  /** deliveries of this process waiting for a slot of an endpoint, woken as its slots come back */
  private readonly slotWaiters = new Map<string, (() => void)[]>();
  private readonly idleSlots: IdleSlots;
  private lastWarn = 0;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly store: EndpointHealthStore,
    private readonly metrics: HealthMetrics,
  ) {
    this.local = new LocalBreakers((id) => void this.tripShared(id));
    this.idleSlots = new IdleSlots(SLOT_HOLD_MS, (id, tokens) => this.store.releaseSlots(id, tokens));
  }

  async onApplicationShutdown(): Promise<void> {
    this.local.shutdown();
    await this.idleSlots.releaseAll();
  }

  async admit(endpoint: EndpointEntity, project: ProjectEntity, hints: GateHints = {}): Promise<GateDecision> {
    const cfg = breakerSettings(project.config.circuit_breaker);
    const pass: Pass = { endpointId: endpoint.id, token: randomUUID(), slot: false, probe: false, closed: false, cfg };
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
      pass.closed = state.phase === 'closed' && !a.next;
      if (a.kind === 'probe') {
        if (!(await this.store.takeProbe(endpoint.id, leaseMs, pass.token))) {
          const wait = Math.min(PROBE_WAIT_MS * 2 ** Math.min(hints.deferrals ?? 0, 16), Math.max(PROBE_WAIT_MS, cfg.errorTimeoutMs));
          return this.defer('circuit_probe', wait + jitter(wait));
        }
        pass.probe = true;
      }
      const cap = effectiveConcurrency(endpoint.maxConcurrency, this.config.endpointMaxConcurrency);
      if (cap > 0) {
        const held = await this.acquireSlot(endpoint.id, cap, leaseMs, pass.token, (hints.deferrals ?? 0) === 0);
        if (!held) {
          await this.release(pass);
          return this.defer('concurrency', this.busyBackoffMs(endpoint, hints.deferrals ?? 0));
        }
        pass.slot = true;
        pass.held = held;
      }
      const rate = effectiveRate(endpoint, project);
      if (rate.count > 0) {
        const windowMs = rateWindowMs(rate.periodMs);
        pass.rate = { count: rate.count, windowMs, token: hints.rateToken ?? pass.token };
        if (!hints.rateToken && !hints.rateBooked) {
          const { waitMs, booked } = await this.store.bookRate(endpoint.id, rate.count, windowMs, bookingHorizonMs(windowMs), pass.token);
          if (waitMs > 0) {
            await this.release(pass);
            // a booked send comes back exactly on time; an unbooked one must not all return at once
            return this.defer('rate_limit', booked ? waitMs : waitMs + jitter(waitMs), booked ? pass.token : undefined);
          }
        }
      }
      return { kind: 'go', pass };
    } catch (e) {
      this.warn(`endpoint gate unavailable, sending without it: ${(e as Error).message}`);
      await this.release(pass).catch(() => undefined);
      return { kind: 'go', pass: { ...pass, slot: false, held: undefined, probe: false, rate: undefined } };
    }
  }

  /**
   * The rate window's last word, right before the request is written: 0 to send now, or
   * how long the send must wait when that is more than the gate waits for in place (the
   * caller gives the delivery back). A claim or a wake-up that ran late would otherwise put
   * two sends closer together than the endpoint's limit allows.
   */
  async beforeSend(pass: Pass): Promise<number> {
    const r = pass.rate;
    if (!r) return 0;
    try {
      for (let i = 0; i < 10; i++) {
        const wait = await this.store.confirmRate(pass.endpointId, r.count, r.windowMs, r.token);
        if (wait <= 0) return 0;
        if (wait > MAX_RATE_WAIT_MS) return wait;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      return MAX_RATE_WAIT_MS;
    } catch (e) {
      this.warn(`rate limiter unavailable, sending without it: ${(e as Error).message}`);
      return 0;
    }
  }

  /** Sends through this process' breaker for the endpoint. */
  async run<T>(pass: Pass, send: () => Promise<T>, failed: (r: T) => boolean): Promise<T> {
    const started = Date.now();
    try {
      return await this.local.run(pass.endpointId, pass.cfg, send, failed);
    } finally {
      const took = Date.now() - started;
      const prev = this.sendMs.get(pass.endpointId);
      if (prev === undefined && this.sendMs.size >= MAX_CACHED_STATES) this.sendMs.clear();
      this.sendMs.set(pass.endpointId, prev === undefined ? took : prev * 0.8 + took * 0.2);
    }
  }

  /**
   * Gives back the slot and probe of a pass (its send is over, or it was not used): the
   * slot to this process' idle slots, where a waiter or the endpoint's next delivery takes it.
   */
  async release(pass: Pass): Promise<void> {
    if (pass.slot && pass.held) {
      this.idleSlots.keep(pass.endpointId, pass.held);
      this.slotFreed(pass.endpointId);
    }
    pass.slot = false;
    pass.held = undefined;
    try {
      if (pass.probe) await this.store.releaseProbe(pass.endpointId);
    } catch (e) {
      this.warn(`could not release a probe (its lease will): ${(e as Error).message}`);
    }
    pass.probe = false;
  }

  /**
   * Records the attempt in the shared breaker. Returns the consecutive failures so far,
   * or undefined when Redis could not say.
   */
  async settle(pass: Pass, ok: boolean): Promise<number | undefined> {
    await this.release(pass);
    if (ok && pass.closed) {
      this.store.recordSuccess(pass.endpointId, Date.now(), pass.cfg);
      return 0;
    }
    try {
      const rec = await this.store.record(pass.endpointId, ok, Date.now(), pass.cfg);
      if (rec.state.phase !== 'closed') this.closedUntil.delete(pass.endpointId);
      this.metrics.breakerPhase(pass.endpointId, rec.state.phase);
      if (rec.transitioned) this.logger.log({ endpointId: pass.endpointId, phase: rec.state.phase, failureRate: rec.failureRatePct }, 'circuit breaker moved');
      return rec.consecutiveFailures;
    } catch (e) {
      this.warn(`could not record an attempt in the breaker: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** One of this process' idle slots of the endpoint, else a new one from Redis. */
  private async slot(endpointId: string, cap: number, leaseMs: number, token: string): Promise<HeldSlot | undefined> {
    const now = Date.now();
    const idle = this.idleSlots.take(endpointId, now, leaseMs / 2);
    if (idle) return idle;
    return (await this.store.acquireSlot(endpointId, cap, leaseMs, token)) ? { token, at: now } : undefined;
  }

  /** A concurrency slot, waiting briefly for one this process frees when `wait` allows. */
  private async acquireSlot(endpointId: string, cap: number, leaseMs: number, token: string, wait: boolean): Promise<HeldSlot | undefined> {
    const first = await this.slot(endpointId, cap, leaseMs, token);
    if (first) return first;
    const waiting = this.slotWaiters.get(endpointId) ?? [];
    // only where a slot frees within the wait: a slow or hanging endpoint's deliveries are deferred at once
    if (!wait || waiting.length >= MAX_SLOT_WAITERS || !((this.sendMs.get(endpointId) ?? Infinity) < SLOT_WAIT_MS)) return undefined;
    const deadline = Date.now() + SLOT_WAIT_MS;
    while (Date.now() < deadline) {
      const list = this.slotWaiters.get(endpointId) ?? [];
      this.slotWaiters.set(endpointId, list);
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      list.push(wake);
      const timer = setTimeout(wake, Math.max(1, deadline - Date.now()));
      await woken;
      clearTimeout(timer);
      const i = list.indexOf(wake);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0 && this.slotWaiters.get(endpointId) === list) this.slotWaiters.delete(endpointId);
      const got = await this.slot(endpointId, cap, leaseMs, token);
      if (got) return got;
    }
    return undefined;
  }

  /** One of the endpoint's slots came back: the longest waiter of this process tries for it. */
  private slotFreed(endpointId: string): void {
    this.slotWaiters.get(endpointId)?.shift()?.();
  }

  private rememberClosed(endpointId: string, now: number): void {
    if (this.closedUntil.size >= MAX_CACHED_STATES) this.closedUntil.clear();
    this.closedUntil.set(endpointId, now + CLOSED_STATE_TTL_MS);
  }

  private defer(reason: DeferReason, delayMs: number, rateToken?: string): GateDecision {
    this.metrics.deferred(reason);
    return { kind: 'defer', reason, delayMs: Math.max(rateToken ? 1 : 50, Math.ceil(delayMs)), rateToken };
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
