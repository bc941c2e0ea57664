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
  private readonly retentionPurged = new Counter({
    name: 'caravan_retention_rows_purged_total',
    help: 'rows removed by retention, by table',
    labelNames: ['table'],
    registers: [this.registry],
  });
  private readonly retentionLastRun = new Gauge({
    name: 'caravan_retention_last_run_timestamp_seconds',
    help: 'when the last retention run of this process ended',
    registers: [this.registry],
  });
  private readonly retentionDuration = new Gauge({
    name: 'caravan_retention_last_run_duration_seconds',
    help: 'how long the last retention run of this process took',
    registers: [this.registry],
  });
  private readonly replicaLag = new Gauge({
    name: 'caravan_db_replica_lag_ms',
    help: 'staleness of each read replica at its last probe (-1 unknown)',
    labelNames: ['replica'],
    registers: [this.registry],
  });
  private readonly replicaHealthy = new Gauge({
    name: 'caravan_db_replica_healthy',
    help: '1 while a read replica serves reads, 0 while it is skipped',
    labelNames: ['replica'],
    registers: [this.registry],
  });
  private readonly readRoutes = new Counter({
    name: 'caravan_db_read_route_reads_total',
    help: 'reads of the lag-tolerant API routes, by the database that served them',
    labelNames: ['target'],
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

  retentionRan(removed: Record<string, number>, endedAt: Date, durationMs: number): void {
    for (const [table, n] of Object.entries(removed)) this.retentionPurged.inc({ table }, n);
    this.retentionLastRun.set(endedAt.getTime() / 1000);
    this.retentionDuration.set(durationMs / 1000);
  }

  replicaState(replica: string, healthy: boolean, lagMs: number | undefined): void {
    this.replicaHealthy.set({ replica }, healthy ? 1 : 0);
    this.replicaLag.set({ replica }, lagMs ?? -1);
  }

  readServedBy(target: 'replica' | 'primary'): void {
    this.readRoutes.inc({ target });
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
