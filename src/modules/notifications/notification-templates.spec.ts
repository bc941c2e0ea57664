import { recipientsFor } from './notification';
import { statusChangeKind } from './notification-outbox';
import { notificationBackoffMs } from './notification.sender';
import { renderNotification, slackBody } from './notification-templates';
import { alertWindowMs, MAX_ALERT_WINDOW_MS } from './subscription-alerts';

const base = {
  project_id: 'P1',
  project_name: 'Shop',
  endpoint_id: 'E1',
  endpoint_name: 'orders <prod>',
  endpoint_url: 'https://example.com/hook',
  at: '2026-12-01T14:00:00.000Z',
};

describe('notification templates', () => {
  it('shows the same facts as plain text and as escaped HTML', () => {
    const r = renderNotification('endpoint.disabled', { ...base, from: 'active', to: 'inactive', reason: 'auto-disabled: endpoint answered 410 Gone' });
    expect(r.subject).toBe('[Caravan] Endpoint "orders <prod>" was disabled');
    expect(r.text.split('\n').slice(0, 8)).toEqual([
      'Endpoint "orders <prod>" was disabled',
      '',
      'Project:  Shop (P1)',
      'Endpoint: orders <prod> (E1)',
      'URL:      https://example.com/hook',
      'Status:   active → inactive',
      'Reason:   auto-disabled: endpoint answered 410 Gone',
      'Time:     2026-12-01T14:00:00.000Z',
    ]);
    expect(r.html).toContain('<h2>Endpoint &quot;orders &lt;prod&gt;&quot; was disabled</h2>');
    expect(r.html).not.toContain('<prod>');
    expect(JSON.parse(slackBody('endpoint.disabled', { ...base, from: 'active', to: 'inactive' }))).toEqual({ text: expect.stringContaining('was disabled') });
  });

  it('names the subscription, the failures and the threshold of an alert', () => {
    const r = renderNotification('subscription.alert', {
      ...base,
      subscription_id: 'S1',
      subscription_name: 'orders',
      failures: 12,
      count: 10,
      threshold: '1h',
    });
    expect(r.subject).toBe('[Caravan] Subscription "orders" had 12 failed attempts in 1h');
    expect(r.text).toContain('Failed attempts: 12 within 1h (alert at 10)');
  });
});

describe('who is told, and when', () => {
  it('tells each mailbox once, and Slack only when the endpoint has a webhook', () => {
    expect(recipientsFor({ supportEmail: 'Ops@x.test', slackWebhookUrl: '' }, { emailEnabled: true, operatorEmails: ['ops@x.test'] })).toEqual([
      { channel: 'email', recipient: 'ops@x.test' },
    ]);
    expect(recipientsFor({ supportEmail: 'a@x.test', slackWebhookUrl: 'https://hooks.test/1' }, { emailEnabled: false, operatorEmails: ['o@x.test'] })).toEqual(
      [{ channel: 'slack', recipient: 'slack' }],
    );
  });

  it('notifies entering inactive and leaving it for active, not pauses', () => {
    expect(statusChangeKind('active', 'inactive')).toBe('endpoint.disabled');
    expect(statusChangeKind('paused', 'inactive')).toBe('endpoint.disabled');
    expect(statusChangeKind('inactive', 'active')).toBe('endpoint.enabled');
    expect(statusChangeKind('active', 'paused')).toBeUndefined();
    expect(statusChangeKind('paused', 'active')).toBeUndefined();
  });

  it('backs off exponentially up to 10 minutes, and reads alert thresholds as durations', () => {
    expect([1, 2, 3, 20].map(notificationBackoffMs)).toEqual([5_000, 10_000, 20_000, 600_000]);
    expect(alertWindowMs('30m')).toBe(1_800_000);
    expect(alertWindowMs('720h')).toBe(MAX_ALERT_WINDOW_MS);
    expect(alertWindowMs('soon')).toBeUndefined();
    expect(alertWindowMs('0s')).toBeUndefined();
  });
});
