import type { NotificationKind, NotificationPayload } from './notification';

export interface RenderedNotification {
  subject: string;
  /** the plain-text body (email text part, and the Slack message) */
  text: string;
  html: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function headline(kind: NotificationKind, p: NotificationPayload): string {
  const name = p.endpoint_name || p.endpoint_id;
  switch (kind) {
    case 'endpoint.disabled':
      return `Endpoint "${name}" was disabled`;
    case 'endpoint.enabled':
      return `Endpoint "${name}" was re-enabled`;
    case 'subscription.alert':
      return `Subscription "${p.subscription_name || p.subscription_id || ''}" had ${p.failures ?? 0} failed attempts in ${p.threshold ?? ''}`;
  }
}

function explanation(kind: NotificationKind, p: NotificationPayload): string {
  switch (kind) {
    case 'endpoint.disabled':
      return 'Caravan stopped delivering to this endpoint. Deliveries the gateway held wait for the endpoint to be activated again; fix the receiver, then activate it (PUT …/endpoints/{endpointID}/activate).';
    case 'endpoint.enabled':
      return 'Deliveries to this endpoint have started again.';
    case 'subscription.alert':
      return `The subscription's alert_config fires at ${p.count ?? 0} failed attempts within ${p.threshold ?? ''}. Look at the endpoint's recent delivery attempts.`;
  }
}

/** The facts shown in every message, as label/value pairs, in a fixed order. */
function facts(kind: NotificationKind, p: NotificationPayload): [string, string][] {
  const rows: [string, string][] = [
    ['Project', p.project_name ? `${p.project_name} (${p.project_id})` : p.project_id],
    ['Endpoint', `${p.endpoint_name} (${p.endpoint_id})`],
    ['URL', p.endpoint_url],
  ];
  if (kind !== 'subscription.alert') {
    rows.push(['Status', `${p.from ?? '?'} → ${p.to ?? '?'}`]);
    if (p.reason) rows.push(['Reason', p.reason]);
  } else {
    rows.push(['Subscription', `${p.subscription_name ?? ''} (${p.subscription_id ?? ''})`]);
    rows.push(['Failed attempts', `${p.failures ?? 0} within ${p.threshold ?? ''} (alert at ${p.count ?? 0})`]);
  }
  rows.push(['Time', p.at]);
  return rows;
}

/** One notification as an email subject, a plain-text body and an HTML body (the same facts in each). */
export function renderNotification(kind: NotificationKind, p: NotificationPayload): RenderedNotification {
  const title = headline(kind, p);
  const why = explanation(kind, p);
  const rows = facts(kind, p);
  const width = Math.max(...rows.map(([k]) => k.length));
  const text = [title, '', ...rows.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v}`), '', why, ''].join('\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif">',
    `<h2>${escapeHtml(title)}</h2>`,
    '<table cellpadding="4">',
    ...rows.map(([k, v]) => `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`),
    '</table>',
    `<p>${escapeHtml(why)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { subject: `[Caravan] ${title}`, text, html };
}

/** The body posted to a Slack-compatible incoming webhook: `text` is what every such receiver shows. */
export function slackBody(kind: NotificationKind, p: NotificationPayload): string {
  const r = renderNotification(kind, p);
  return JSON.stringify({ text: r.text });
}
