import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import type { Tx } from '../../../libs/database/sql';
import { redactUrl } from '../../../libs/observability/redact-url';
import { EndpointEvents, EndpointStatusChanging } from '../endpoints';
import { NewNotification, NotificationKind, NotificationPayload, recipientsFor } from './notification';
import { NotificationsRepository } from './notifications.repository';

/** Which status changes are told: into `inactive` (by the gateway or by hand), and out of it to `active`. */
export function statusChangeKind(from: string, to: string): NotificationKind | undefined {
  if (to === 'inactive' && from !== 'inactive') return 'endpoint.disabled';
  if (from === 'inactive' && to === 'active') return 'endpoint.enabled';
  return undefined;
}

/**
 * Writes the notifications of an endpoint's status change into the outbox, inside the
 * transaction that changes the status: the change and its notifications commit together,
 * so a crash right after the commit still sends them. Registered in every role that can
 * change an endpoint's status (the api and every worker), whatever its duties.
 */
@Injectable()
export class NotificationOutbox implements OnModuleInit, OnModuleDestroy {
  private unregister?: () => void;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly endpointEvents: EndpointEvents,
    private readonly repo: NotificationsRepository,
  ) {}

  onModuleInit(): void {
    this.unregister = this.endpointEvents.onStatusChanging((tx, change) => this.onStatusChanging(tx, change));
  }

  onModuleDestroy(): void {
    this.unregister?.();
  }

  get emailEnabled(): boolean {
    return this.config.smtpUrl !== undefined;
  }

  private async onStatusChanging(tx: Tx, { before, after, reason }: EndpointStatusChanging): Promise<void> {
    const kind = statusChangeKind(before.status, after.status);
    if (!kind) return;
    const targets = recipientsFor(after, { emailEnabled: this.emailEnabled, operatorEmails: this.config.notifyOperatorEmail });
    if (targets.length === 0) return;
    const projectName = await this.repo.projectName(tx, after.projectId);
    const payload: NotificationPayload = {
      project_id: after.projectId,
      project_name: projectName,
      endpoint_id: after.id,
      endpoint_name: after.name,
      endpoint_url: redactUrl(after.url),
      at: new Date().toISOString(),
      from: before.status,
      to: after.status,
      reason,
    };
    await this.repo.insert(
      tx,
      targets.map((t) => ({ projectId: after.projectId, endpointId: after.id, kind, channel: t.channel, recipient: t.recipient, payload })),
    );
  }

  /** The rows of one alert, for the scanner (same recipients as a status change). */
  rowsFor(
    kind: NotificationKind,
    endpoint: { id: string; projectId: string; supportEmail: string; slackWebhookUrl: string },
    payload: NotificationPayload,
    subscriptionId?: string,
  ): NewNotification[] {
    return recipientsFor(endpoint, { emailEnabled: this.emailEnabled, operatorEmails: this.config.notifyOperatorEmail }).map((t) => ({
      projectId: endpoint.projectId,
      endpointId: endpoint.id,
      subscriptionId,
      kind,
      channel: t.channel,
      recipient: t.recipient,
      payload,
    }));
  }
}
