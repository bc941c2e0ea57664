import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { PeriodicTask } from '../../common/periodic-task';
import { classifyAttempt } from '../../common/retry-policy';
import { EndpointsService } from '../endpoints';
import { SendOutcome, SendRequest, USER_AGENT, WebhookClient } from '../webhook-http';
import { Mailer } from './mailer';
import type { NotificationRow } from './notification';
import { NotificationMetrics } from './notification-metrics';
import { renderNotification, slackBody } from './notification-templates';
import { NotificationsRepository } from './notifications.repository';

const BATCH = 20;
const HOUR_MS = 3_600_000;
const MAX_BACKOFF_MS = 10 * 60_000;
/** Settled notifications are kept this long (for the rate limit and for looking back), then removed. */
export const NOTIFICATION_KEEP_MS = 7 * 24 * HOUR_MS;
const PURGE_EVERY_MS = HOUR_MS;

/** 5 s, 10 s, 20 s … at most 10 minutes between two tries of one notification. */
export function notificationBackoffMs(attemptsMade: number): number {
  return Math.min(MAX_BACKOFF_MS, 5_000 * 2 ** Math.max(0, attemptsMade - 1));
}

export interface NotifyOutcome {
  ok: boolean;
  retryable: boolean;
  error: string;
}

/**
 * One message to a Slack-compatible incoming webhook through `send` (the worker's guarded
 * client: the SSRF policy at dial time, or the egress proxy). An address the policy
 * denies is not retried: it will be denied again.
 */
export async function postToSlack(
  send: (req: SendRequest) => Promise<SendOutcome>,
  url: string,
  n: Pick<NotificationRow, 'kind' | 'payload'>,
  timeoutMs: number,
): Promise<NotifyOutcome> {
  const o = await send({ url, headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT }, body: slackBody(n.kind, n.payload), timeoutMs });
  if (o.ok) return { ok: true, retryable: false, error: '' };
  return { ok: false, retryable: classifyAttempt(o).retryable, error: o.error || o.errorClass };
}

/**
 * Worker duty `notifications`: sends the outbox. Claims due rows with a lease, holds each
 * recipient to NOTIFY_RATE_LIMIT_PER_HOUR messages about one endpoint (the rest are
 * Suppressed, so a flapping endpoint cannot flood a mailbox), sends email through SMTP and
 * Slack messages through the same guarded HTTP client as deliveries (SSRF policy at dial
 * time, or the egress proxy), and retries failures with a backoff up to NOTIFY_RETRY_LIMIT.
 */
@Injectable()
export class NotificationSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NotificationSender.name);
  private readonly owner = `${hostname()}:${process.pid}:notify:${randomUUID().slice(0, 8)}`;
  private purgedAt = 0;
  private readonly loop = new PeriodicTask(
    'notification pass',
    this.logger,
    () => this.sendDue(),
    (n) => (n === BATCH ? 0 : this.config.notifyPollMs),
  );

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly repo: NotificationsRepository,
    private readonly mailer: Mailer,
    private readonly client: WebhookClient,
    private readonly endpoints: EndpointsService,
    private readonly metrics: NotificationMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass; public so tests can drive it. Returns how many rows it claimed. */
  async sendDue(): Promise<number> {
    if (Date.now() - this.purgedAt > PURGE_EVERY_MS) {
      this.purgedAt = Date.now();
      await this.repo.purgeSettled(new Date(Date.now() - NOTIFICATION_KEEP_MS), 1000);
    }
    await this.repo.recoverExpiredLeases(BATCH);
    const rows = await this.repo.claimDue(this.owner, this.config.notifyTimeoutMs + this.config.leaseGraceMs, BATCH);
    // one at a time and oldest first (ids are ULIDs; RETURNING keeps no order): a recipient
    // reads "disabled" before "re-enabled", and the rate limit sees each Sent before the next
    rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const row of rows) await this.sendOne(row);
    return rows.length;
  }

  private async sendOne(n: NotificationRow): Promise<void> {
    const limit = this.config.notifyRateLimitPerHour;
    if (limit > 0 && (await this.repo.sentSince(n.endpoint_id, n.recipient, new Date(Date.now() - HOUR_MS))) >= limit) {
      await this.repo.finish(n.id, this.owner, 'Suppressed', `rate limit: ${limit} an hour for this endpoint and recipient`);
      this.metrics.count(n.channel, n.kind, 'suppressed');
      return;
    }
    const o = n.channel === 'email' ? await this.mailer.send(n.recipient, renderNotification(n.kind, n.payload)) : await this.sendSlack(n);
    if (o.ok) {
      await this.repo.finish(n.id, this.owner, 'Sent', '');
      this.metrics.count(n.channel, n.kind, 'sent');
      return;
    }
    const made = n.attempts + 1;
    if (!o.retryable || made >= this.config.notifyRetryLimit) {
      await this.repo.finish(n.id, this.owner, 'Failed', o.error);
      this.metrics.count(n.channel, n.kind, 'failed');
      this.logger.warn({ notificationId: n.id, channel: n.channel, endpointId: n.endpoint_id, attempts: made, error: o.error }, 'notification given up');
      return;
    }
    await this.repo.finish(n.id, this.owner, 'Pending', o.error, new Date(Date.now() + notificationBackoffMs(made)));
    this.metrics.count(n.channel, n.kind, 'retried');
  }

  private async sendSlack(n: NotificationRow): Promise<NotifyOutcome> {
    const endpoint = await this.endpoints.getForDelivery(n.endpoint_id, { fresh: true });
    if (!endpoint?.slackWebhookUrl) return { ok: false, retryable: false, error: 'the endpoint has no slack_webhook_url any more' };
    return postToSlack((req) => this.client.send(req), endpoint.slackWebhookUrl, n, this.config.notifyTimeoutMs);
  }
}
