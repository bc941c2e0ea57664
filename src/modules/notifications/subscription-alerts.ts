import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig, parseGoDuration } from '../../../libs/config';
import { redactUrl } from '../../../libs/observability/redact-url';
import { idFloor } from '../../common/ids';
import { PeriodicTask } from '../../common/periodic-task';
import type { NotificationPayload } from './notification';
import { NotificationOutbox } from './notification-outbox';
import { AlertCandidate, NotificationsRepository } from './notifications.repository';

/** The widest window one scan counts over: a longer threshold counts the last day only. */
export const MAX_ALERT_WINDOW_MS = 24 * 3_600_000;

/** The window of an alert_config's `threshold` in ms, or undefined when it is not a duration. */
export function alertWindowMs(threshold: string): number | undefined {
  const ms = parseGoDuration(threshold);
  if (ms === undefined || ms <= 0) return undefined;
  return Math.min(ms, MAX_ALERT_WINDOW_MS);
}

/**
 * Acts on subscriptions' `alert_config` (Convoy's `count` failures within `threshold`):
 * every NOTIFY_ALERT_SCAN_MS it counts each such subscription's failed attempts in its
 * window; at `count` or more the alert fires, at most once per window per subscription
 * across all workers (the mark and the outbox rows commit in one transaction).
 */
@Injectable()
export class SubscriptionAlerts implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SubscriptionAlerts.name);
  private readonly loop = new PeriodicTask(
    'subscription alert scan',
    this.logger,
    () => this.scanOnce(),
    () => this.config.notifyAlertScanMs,
  );

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly repo: NotificationsRepository,
    private readonly outbox: NotificationOutbox,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(this.config.notifyAlertScanMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One scan; public so tests can drive it. Returns the subscriptions whose alert fired. */
  async scanOnce(now = new Date()): Promise<string[]> {
    const candidates = (await this.repo.alertCandidates())
      .map((c) => ({ c, windowMs: alertWindowMs(c.threshold) }))
      .filter((x): x is { c: AlertCandidate; windowMs: number } => x.windowMs !== undefined);
    if (candidates.length === 0) return [];
    const failures = await this.repo.failuresSince(
      candidates.map(({ c, windowMs }) => ({
        subscriptionId: c.subscription_id,
        endpointId: c.endpoint_id,
        floorId: idFloor(new Date(now.getTime() - windowMs)),
      })),
    );
    const fired: string[] = [];
    for (const { c, windowMs } of candidates) {
      const n = failures.get(c.subscription_id) ?? 0;
      if (n < c.count) continue;
      const payload: NotificationPayload = {
        project_id: c.project_id,
        project_name: c.project_name,
        endpoint_id: c.endpoint_id,
        endpoint_name: c.endpoint_name,
        endpoint_url: redactUrl(c.endpoint_url),
        at: now.toISOString(),
        subscription_id: c.subscription_id,
        subscription_name: c.subscription_name,
        failures: n,
        count: c.count,
        threshold: c.threshold,
      };
      const rows = this.outbox.rowsFor(
        'subscription.alert',
        { id: c.endpoint_id, projectId: c.project_id, supportEmail: c.support_email, slackWebhookUrl: c.slack_webhook_url },
        payload,
        c.subscription_id,
      );
      const won = await this.repo.fireAlert(c.project_id, c.subscription_id, n, windowMs, (tx) => this.repo.insert(tx, rows));
      if (won) {
        fired.push(c.subscription_id);
        this.logger.warn({ projectId: c.project_id, subscriptionId: c.subscription_id, failures: n, threshold: c.threshold }, 'subscription alert fired');
      }
    }
    return fired;
  }
}
