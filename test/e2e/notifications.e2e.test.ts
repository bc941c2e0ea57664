import { Client } from 'pg';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createTestProject, PipelineHarness, Sinks, startPipelineHarness, TestProject, waitUntil } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';
import { SubscriptionAlerts } from '../../src/modules/notifications';

/**
 * Notifications end to end: a real SMTP server on loopback (smtp-server) and a Slack-style
 * HTTP sink; the api and the worker as in production; messages asserted as received.
 */
interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

class SmtpSink {
  readonly mails: Mail[] = [];
  private server?: SMTPServer;
  port = 0;

  async start(): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, done) => {
        simpleParser(stream)
          .then((m) => {
            this.mails.push({
              to: session.envelope.rcptTo.map((r) => r.address),
              subject: m.subject ?? '',
              text: m.text ?? '',
              html: typeof m.html === 'string' ? m.html : '',
            });
            done();
          })
          .catch((e: Error) => done(e));
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  to(address: string): Mail[] {
    return this.mails.filter((m) => m.to.includes(address));
  }
}

describe('notifications (e2e)', () => {
  let h: PipelineHarness;
  const smtp = new SmtpSink();
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());
  const OPERATOR = 'ops@caravan.test';
  const SUPPORT = 'support@receiver.test';

  const project = (config: Record<string, unknown> = {}): Promise<TestProject> =>
    createTestProject(h.api.getHttpServer(), { strategy: { type: 'linear', duration: 1, retry_count: 3 }, ...config }, 'notify');

  async function endpoint(
    p: TestProject,
    url: string,
    extra: Record<string, unknown> = {},
    sub: Record<string, unknown> = {},
  ): Promise<{ uid: string; sub: string }> {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'orders-receiver', url, ...extra })
      .expect(201);
    const s = await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 'orders-sub', endpoint_id: res.body.data.uid, filter_config: { event_types: ['*'] }, ...sub })
      .expect(201);
    return { uid: res.body.data.uid as string, sub: s.body.data.uid as string };
  }

  const send = (p: TestProject, endpointId: string) =>
    http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: endpointId, event_type: 'order.paid', data: { n: 1 } })
      .expect(201);

  async function rows(endpointId: string): Promise<{ kind: string; channel: string; recipient: string; status: string }[]> {
    const db = new Client({ connectionString: h.db.url });
    await db.connect();
    try {
      const r = await db.query(`SELECT kind, channel, recipient, status FROM notifications WHERE endpoint_id = $1 ORDER BY id`, [endpointId]);
      return r.rows;
    } finally {
      await db.end();
    }
  }

  beforeAll(async () => {
    await smtp.start();
    h = await startPipelineHarness(createApiApp, createWorkerApp, {
      egressAllow: ['127.0.0.0/8'],
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      smtpFrom: 'Caravan <caravan@caravan.test>',
      notifyOperatorEmail: [OPERATOR],
      notifyPollMs: 100,
      notifyRateLimitPerHour: 2,
      notifyAlertScanMs: 3_600_000,
    });
  });
  afterAll(async () => {
    await sinks.stopAll();
    await h.close();
    await smtp.stop();
  });

  it('tells the operator, the support address and Slack when an endpoint answers 410, and again when it is re-enabled', async () => {
    const p = await project();
    const slack = await sinks.start();
    const gone = await sinks.start(() => ({ status: 410 }));
    const ep = await endpoint(p, `${gone.url}/hook?token=s3cr3t`, { support_email: SUPPORT, slack_webhook_url: slack.url });
    await send(p, ep.uid);

    await waitUntil('two disable emails', () => Promise.resolve(smtp.mails.length >= 2));
    const [toOperator] = smtp.to(OPERATOR);
    const [toSupport] = smtp.to(SUPPORT);
    expect(toOperator.subject).toBe('[Caravan] Endpoint "orders-receiver" was disabled');
    expect(toSupport.subject).toBe(toOperator.subject);
    expect(toOperator.text).toContain(`Endpoint: orders-receiver (${ep.uid})`);
    expect(toOperator.text).toContain('Status:   active → inactive');
    expect(toOperator.text).toContain('Reason:   auto-disabled: endpoint answered 410 Gone');
    expect(toOperator.text).toContain('token=[redacted]');
    expect(toOperator.text).not.toContain('s3cr3t');
    expect(toOperator.html).toContain('<th align="left">Reason</th><td>auto-disabled: endpoint answered 410 Gone</td>');
    const [posted] = await slack.waitFor((rs) => rs.length >= 1);
    expect(posted.headers['content-type']).toBe('application/json');
    const slackText = (JSON.parse(posted.body) as { text: string }).text;
    expect(slackText).toContain('Endpoint "orders-receiver" was disabled');
    expect(slackText).toContain('auto-disabled: endpoint answered 410 Gone');

    await http().put(`/api/v1/projects/${p.id}/endpoints/${ep.uid}/activate`).set(p.auth).expect(202);
    await waitUntil('the re-enabled emails', () => Promise.resolve(smtp.to(OPERATOR).length >= 2));
    expect(smtp.to(OPERATOR)[1].subject).toBe('[Caravan] Endpoint "orders-receiver" was re-enabled');
    expect(smtp.to(OPERATOR)[1].text).toContain('Reason:   activated through the API');
    await slack.waitFor((rs) => rs.length >= 2);
    expect((JSON.parse(slack.receipts[1].body) as { text: string }).text).toContain('was re-enabled');
  });

  it('holds each recipient to NOTIFY_RATE_LIMIT_PER_HOUR messages about a flapping endpoint', async () => {
    const p = await project();
    const slack = await sinks.start();
    const ok = await sinks.start();
    const ep = await endpoint(p, ok.url, { slack_webhook_url: slack.url });
    for (let i = 0; i < 3; i++) {
      await http().put(`/api/v1/projects/${p.id}/endpoints/${ep.uid}`).set(p.auth).send({ is_disabled: true }).expect(202);
      await http().put(`/api/v1/projects/${p.id}/endpoints/${ep.uid}`).set(p.auth).send({ is_disabled: false }).expect(202);
    }
    // 6 changes: 2 sent to each recipient, the other 4 suppressed
    const settled = await waitUntil('every notification to settle', async () => {
      const r = await rows(ep.uid);
      return r.length === 12 && r.every((x) => x.status === 'Sent' || x.status === 'Suppressed') && r;
    });
    const count = (channel: string, status: string) => settled.filter((r) => r.channel === channel && r.status === status).length;
    expect([count('email', 'Sent'), count('email', 'Suppressed'), count('slack', 'Sent'), count('slack', 'Suppressed')]).toEqual([2, 4, 2, 4]);
    // the first test's endpoint may still be telling the operator about itself: count this endpoint's mail only
    const mine = smtp.to(OPERATOR).filter((m) => m.text.includes(`(${ep.uid})`));
    expect(mine).toHaveLength(2);
    expect(slack.receipts).toHaveLength(2);
    expect(mine[0].subject).toContain('was disabled');
    expect(mine[0].text).toContain('Reason:   updated through the API');
    expect(mine[1].subject).toContain('was re-enabled');
  });

  it("fires a subscription's alert_config once per window when count attempts fail within threshold", async () => {
    const p = await project();
    const slack = await sinks.start();
    const failing = await sinks.start(() => ({ status: 500 }));
    const ep = await endpoint(p, failing.url, { slack_webhook_url: slack.url }, { alert_config: { count: 3, threshold: '1h' } });
    await send(p, ep.uid);
    const alerts = h.worker.get(SubscriptionAlerts);
    await failing.waitFor((rs) => rs.length >= 2);
    await expect(alerts.scanOnce()).resolves.toEqual([]);
    await failing.waitFor((rs) => rs.length >= 3);
    await waitUntil('three failed attempts recorded', async () => (await alerts.scanOnce()).includes(ep.sub) || undefined, 10_000, 200);
    await expect(alerts.scanOnce()).resolves.not.toContain(ep.sub);
    const [posted] = await slack.waitFor((rs) => rs.length >= 1);
    const text = (JSON.parse(posted.body) as { text: string }).text;
    expect(text).toMatch(/Subscription "orders-sub" had [34] failed attempts in 1h/);
    expect(text).toContain('alert at 3');
    const mail = await waitUntil('the alert email', () => Promise.resolve(smtp.to(OPERATOR).find((m) => m.subject.includes('orders-sub'))));
    expect(mail.text).toContain(`Subscription:    orders-sub (${ep.sub})`);
  });

  it('refuses a slack_webhook_url the SSRF policy denies, when it is written', async () => {
    const p = await project();
    const ok = await sinks.start();
    for (const url of ['http://metadata.google.internal/hook', 'http://0.0.0.0:9/hook']) {
      const res = await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'x', url: ok.url, slack_webhook_url: url });
      expect([url, res.status]).toEqual([url, 400]);
    }
  });
});
