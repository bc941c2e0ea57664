import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { HealthMetrics } from '../../../libs/observability/metrics';

export type MessageOutcome = 'received' | 'ingested' | 'duplicate' | 'rejected' | 'dead_lettered' | 'retried' | 'redelivered';

/** Per-source broker counters, on the worker's registry. */
@Injectable()
export class BrokerMetrics {
  private readonly messages: Counter<'source' | 'outcome'>;
  private readonly lagGauge: Gauge<'source'>;

  constructor(metrics: HealthMetrics) {
    this.messages = new Counter({
      name: 'caravan_broker_messages_total',
      help: 'broker messages by source and outcome (received, ingested, duplicate, rejected, dead_lettered, retried, redelivered)',
      labelNames: ['source', 'outcome'],
      registers: [metrics.registry],
    });
    this.lagGauge = new Gauge({
      name: 'caravan_broker_lag',
      help: 'messages waiting on the broker per source, where the broker reports it',
      labelNames: ['source'],
      registers: [metrics.registry],
    });
  }

  count(source: string, outcome: MessageOutcome): void {
    this.messages.inc({ source, outcome });
  }

  lag(source: string, value: number | undefined): void {
    if (value === undefined) this.lagGauge.remove({ source });
    else this.lagGauge.set({ source }, value);
  }

  forget(source: string): void {
    this.lagGauge.remove({ source });
  }
}
