import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { HealthMetrics } from '../../../libs/observability/metrics';

export type NotificationOutcome = 'sent' | 'retried' | 'failed' | 'suppressed';

/** Notification counters, on the worker's registry. */
@Injectable()
export class NotificationMetrics {
  private readonly total: Counter<'channel' | 'kind' | 'outcome'>;

  constructor(metrics: HealthMetrics) {
    this.total = new Counter({
      name: 'caravan_notifications_total',
      help: 'notification sends by channel (email, slack), kind and outcome (sent, retried, failed, suppressed by the rate limit)',
      labelNames: ['channel', 'kind', 'outcome'],
      registers: [metrics.registry],
    });
  }

  count(channel: string, kind: string, outcome: NotificationOutcome): void {
    this.total.inc({ channel, kind, outcome });
  }
}
