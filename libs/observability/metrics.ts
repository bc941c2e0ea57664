import { Global, Injectable, Module } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

export type QueueDepthSource = () => Promise<{ queue: string; state: string; count: number }[]>;

const PHASE_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
const MAX_BREAKER_SERIES = 10_000;

/**
 * Prometheus metrics of one app instance. Each instance has a registry of its own so the
 * api and the worker can run in one process (all-in-one, tests) without clashing names.
 */
@Injectable()
export class HealthMetrics {
  readonly registry = new Registry();
  private readonly deliveriesTotal = new Counter({
    name: 'caravan_deliveries_total',
    help: 'delivery attempts by outcome',
    labelNames: ['outcome'],
    registers: [this.registry],
  });
  private readonly deferralsTotal = new Counter({
    name: 'caravan_deferrals_total',
    help: 'deliveries deferred before sending, by reason',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  private readonly disabledTotal = new Counter({
    name: 'caravan_endpoints_auto_disabled_total',
    help: 'endpoints disabled automatically, by cause',
    labelNames: ['cause'],
    registers: [this.registry],
  });
  private readonly breakerState = new Gauge({
    name: 'caravan_circuit_breaker_state',
    help: 'breaker phase by endpoint: 0 closed, 1 half-open, 2 open',
    labelNames: ['endpoint'],
    registers: [this.registry],
  });
  private readonly sources: QueueDepthSource[] = [];
  private readonly breakerSeries = new Set<string>();

  constructor() {
    const sources = this.sources;
    new Gauge({
      name: 'caravan_queue_depth',
      help: 'jobs per queue and state',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const source of sources) {
          try {
            for (const d of await source()) this.set({ queue: d.queue, state: d.state }, d.count);
          } catch {
            // Redis away: the depth is unknown, not zero
          }
        }
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'caravan_' });
  }

  delivered(outcome: string): void {
    this.deliveriesTotal.inc({ outcome });
  }

  deferred(reason: string): void {
    this.deferralsTotal.inc({ reason });
  }

  autoDisabled(cause: string): void {
    this.disabledTotal.inc({ cause });
  }

  breakerPhase(endpointId: string, phase: keyof typeof PHASE_VALUE): void {
    // endpoints that were never unhealthy stay out of the series, to bound cardinality
    if (phase === 'closed' && !this.breakerSeries.has(endpointId)) return;
    if (this.breakerSeries.size >= MAX_BREAKER_SERIES) {
      this.breakerState.reset();
      this.breakerSeries.clear();
    }
    this.breakerSeries.add(endpointId);
    this.breakerState.set({ endpoint: endpointId }, PHASE_VALUE[phase]);
  }

  addQueueDepthSource(source: QueueDepthSource): void {
    this.sources.push(source);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

@Global()
@Module({ providers: [HealthMetrics], exports: [HealthMetrics] })
export class MetricsModule {}
