/** What a notification is about; each kind has a template in notification-templates.ts. */
export type NotificationKind = 'endpoint.disabled' | 'endpoint.enabled' | 'subscription.alert';
export type NotificationChannel = 'email' | 'slack';
export type NotificationStatus = 'Pending' | 'Sending' | 'Sent' | 'Failed' | 'Suppressed';

/** The recipient of every Slack row: the endpoint's own `slack_webhook_url`, read again at send time. */
export const SLACK_RECIPIENT = 'slack';

/** What the templates show, captured when the notification is written. */
export interface NotificationPayload {
  project_id: string;
  project_name: string;
  endpoint_id: string;
  endpoint_name: string;
  /** redacted: no user-info, no credential-looking query values */
  endpoint_url: string;
  /** ISO time of the change or the alert */
  at: string;
  /** endpoint.disabled / endpoint.enabled */
  from?: string;
  to?: string;
  reason?: string;
  /** subscription.alert */
  subscription_id?: string;
  subscription_name?: string;
  failures?: number;
  count?: number;
  threshold?: string;
}

export interface NotificationRow {
  id: string;
  project_id: string;
  endpoint_id: string;
  subscription_id: string | null;
  kind: NotificationKind;
  channel: NotificationChannel;
  recipient: string;
  payload: NotificationPayload;
  status: NotificationStatus;
  attempts: number;
}

export interface NewNotification {
  projectId: string;
  endpointId: string;
  subscriptionId?: string;
  kind: NotificationKind;
  channel: NotificationChannel;
  recipient: string;
  payload: NotificationPayload;
}

/** Who is told about an endpoint: the operator's mailboxes, the endpoint's support address, its Slack webhook. */
export function recipientsFor(
  endpoint: { supportEmail: string; slackWebhookUrl: string },
  opts: { emailEnabled: boolean; operatorEmails: readonly string[] },
): { channel: NotificationChannel; recipient: string }[] {
  const out: { channel: NotificationChannel; recipient: string }[] = [];
  if (opts.emailEnabled) {
    const mailboxes = new Set([...opts.operatorEmails, endpoint.supportEmail].map((e) => e.trim().toLowerCase()).filter((e) => e !== ''));
    for (const recipient of mailboxes) out.push({ channel: 'email', recipient });
  }
  if (endpoint.slackWebhookUrl) out.push({ channel: 'slack', recipient: SLACK_RECIPIENT });
  return out;
}
