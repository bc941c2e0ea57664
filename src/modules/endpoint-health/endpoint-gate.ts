import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { HealthMetrics } from '../../../libs/observability/metrics';
import type { EndpointEntity } from '../endpoints';
import type { ProjectEntity } from '../projects';
import { admit, BreakerSettings, breakerSettings } from './breaker-policy';
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

export type GateDecision = { kind: 'go'; pass: Pass } | { kind: 'defer'; reason: DeferReason; delayMs: number };

/** How long a delivery waits when another worker holds the half-open probe. */
const PROBE_WAIT_MS = 1000;

function jitter(ms: number): number {
  return Math.floor(Math.random() * ms);
}

/** The rate an endpoint is held to: its own, else the project's; count 0 = unlimited. */
export function effectiveRate(endpoint: Pick<EndpointEntity, 'rateLimit' | 'rateLimitDuration'>, project: Pick<ProjectEntity, 'config'>): { count: number; periodMs: number } {
  if (endpoint.rateLimit > 0) {
    return { count: endpoint.rateLimit, periodMs: Math.max(1, endpoint.rateLimitDuration || project.config.ratelimit.duration || 1) * 1000 };
  }
  const r = project.config.ratelimit;
  return { count: Math.max(0, r.count), periodMs: Math.max(1, r.duration) * 1000 };
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

  async admit(endpoint: EndpointEntity, project: ProjectEntity): Promise<GateDecision> {
    const cfg = breakerSettings(project.config.circuit_breaker);
    const pass: Pass = { endpointId: endpoint.id, token: randomUUID(), slot: false, probe: false, cfg };
    const leaseMs = endpoint.httpTimeout * 1000 + this.config.leaseGraceMs;
    try {
      const state = await this.store.breaker(endpoint.id);
      const a = admit(state, Date.now(), cfg);
      this.metrics.breakerPhase(endpoint.id, state.phase);
      this.local.follow(endpoint.id, cfg, a.kind !== 'deny' && a.next ? a.next.phase : state.phase);
      if (a.kind === 'deny') return this.defer('circuit_open', a.retryAfterMs + jitter(500));
      if (a.next) {
        await this.store.compareAndSet(endpoint.id, state, a.next);
        this.metrics.breakerPhase(endpoint.id, a.next.phase);
      }
      if (a.kind === 'probe') {
        if (!(await this.store.takeProbe(endpoint.id, leaseMs, pass.token))) return this.defer('circuit_probe', PROBE_WAIT_MS + jitter(500));
        pass.probe = true;
      }
      const cap = endpoint.maxConcurrency ?? this.config.endpointMaxConcurrency;
      if (cap > 0) {
        if (!(await this.store.acquireSlot(endpoint.id, cap, leaseMs, pass.token))) {
          await this.release(pass);
          return this.defer('concurrency', this.config.endpointBusyDeferMs + jitter(this.config.endpointBusyDeferMs));
        }
        pass.slot = true;
      }
      const rate = effectiveRate(endpoint, project);
      if (rate.count > 0) {
        const wait = await this.store.takeRateToken(endpoint.id, rate.count, rate.periodMs);
        if (wait > 0) {
          await this.release(pass);
          return this.defer('rate_limit', wait + jitter(Math.min(1000, Math.ceil(rate.periodMs / rate.count))));
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
    await this.release(pass);
    try {
      const rec = await this.store.record(pass.endpointId, ok, Date.now(), pass.cfg);
      this.metrics.breakerPhase(pass.endpointId, rec.state.phase);
      if (rec.transitioned) this.logger.log({ endpointId: pass.endpointId, phase: rec.state.phase, failureRate: rec.failureRatePct }, 'circuit breaker moved');
      return rec.consecutiveFailures;
    } catch (e) {
      this.warn(`could not record an attempt in the breaker: ${(e as Error).message}`);
      return undefined;
    }
  }

  private defer(reason: DeferReason, delayMs: number): GateDecision {
    this.metrics.deferred(reason);
    return { kind: 'defer', reason, delayMs: Math.max(50, Math.ceil(delayMs)) };
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
