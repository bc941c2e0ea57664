import request from 'supertest';
import { PipelineHarness, startPipelineHarness, TEST_ADMIN_KEY, testConfig, waitUntil, WebhookSink } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';
import { createEgressApp, EgressApp } from '../../src/egress/egress.bootstrap';

type Proj = { id: string; auth: { Authorization: string } };

/**
 * The worker delivering through the real egress proxy. The sink listens on 127.0.0.2,
 * which only the proxy is allowed to reach: when the proxy is down nothing may arrive,
 * which proves the worker never falls back to a direct connection.
 */
describe('deliveries through the egress proxy (e2e)', () => {
  let h: PipelineHarness;
  let egress: EgressApp | undefined;
  let proxyPort = 0;
  let sink: WebhookSink;
  const http = () => request(h.api.getHttpServer());

  async function startEgress(port: number): Promise<EgressApp> {
    const app = await createEgressApp(testConfig({ egressHost: '127.0.0.1', egressPort: port, egressHealthPort: 0, egressAllow: [sink.allowEntry] }), {
      options: { shutdownGraceMs: 100 },
    });
    return app;
  }

  async function setup(): Promise<{ p: Proj; endpointId: string }> {
    const res = await http()
      .post('/api/v1/projects')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({
        name: 'egress',
        type: 'outgoing',
        config: { ssl: { enforce_secure_endpoints: false }, strategy: { type: 'linear', duration: 1, retry_count: 20 } },
      })
      .expect(201);
    const p = { id: res.body.data.project.uid as string, auth: { Authorization: `Bearer ${res.body.data.api_key.key as string}` } };
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'behind-proxy', url: `${sink.url}/hook` })
      .expect(201);
    await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 's', endpoint_id: ep.body.data.uid, filter_config: { event_types: ['*'] } })
      .expect(201);
    return { p, endpointId: ep.body.data.uid };
  }

  beforeAll(async () => {
    sink = new WebhookSink();
    await sink.start('127.0.0.2');
    egress = await startEgress(0);
    proxyPort = egress.address().port;
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'], egressProxyUrl: `http://127.0.0.1:${proxyPort}` });
  });
  afterAll(async () => {
    await h?.close();
    await egress?.close();
    await sink?.stop();
  });

  it('delivers through the proxy, fails as proxy_unavailable while it is down, and never goes direct', async () => {
    const { p, endpointId } = await setup();
    const first = await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: endpointId, event_type: 'x', data: { n: 1 } })
      .expect(201);
    await sink.waitFor((rs) => rs.length === 1);
    // the attempt names the address the proxy dialled (its CONNECT answer says), not the proxy's
    const sent = await waitUntil('the first delivery recorded', async () => {
      const list = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?eventId=${first.body.data.uid}`).set(p.auth);
      const d = list.body.data.content[0] as { uid: string; status: string } | undefined;
      return d && d.status === 'Success' && d;
    });
    const firstAttempts = await http().get(`/api/v1/projects/${p.id}/eventdeliveries/${sent.uid}/deliveryattempts`).set(p.auth).expect(200);
    expect(firstAttempts.body.data[0].ip_address).toBe('127.0.0.2');

    await egress!.close();
    egress = undefined;
    const ev = await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: endpointId, event_type: 'x', data: { n: 2 } })
      .expect(201);
    const delivery = await waitUntil(
      'a failed attempt',
      async () => {
        const list = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?eventId=${ev.body.data.uid}`).set(p.auth);
        const d = list.body.data.content[0] as { uid: string; status: string } | undefined;
        return d && d.status === 'Retry' && d;
      },
      20_000,
    );
    const attempts = await http().get(`/api/v1/projects/${p.id}/eventdeliveries/${delivery.uid}/deliveryattempts`).set(p.auth).expect(200);
    expect(attempts.body.data[0].error_class).toBe('proxy_unavailable');
    await new Promise((r) => setTimeout(r, 1500));
    expect(sink.receipts).toHaveLength(1);

    egress = await startEgress(proxyPort);
    await sink.waitFor((rs) => rs.length === 2);
    expect(JSON.parse(sink.receipts[1].body)).toEqual({ n: 2 });
  });

  it('records a proxy denial as egress_denied and does not retry it', async () => {
    const { p } = await setup();
    // allowed at write time by the API's EGRESS_ALLOW, but not by the proxy's
    const ep = await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'denied', url: 'http://127.0.0.3/hook' }).expect(201);
    await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 'd', endpoint_id: ep.body.data.uid, filter_config: { event_types: ['*'] } })
      .expect(201);
    const ev = await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: ep.body.data.uid, event_type: 'x', data: {} }).expect(201);
    const d = await waitUntil('failure', async () => {
      const list = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?eventId=${ev.body.data.uid}`).set(p.auth);
      const x = list.body.data.content[0] as { uid: string; status: string; metadata: { num_trials: number } } | undefined;
      return x && x.status === 'Failure' && x;
    });
    expect(d.metadata.num_trials).toBe(1);
    const attempts = await http().get(`/api/v1/projects/${p.id}/eventdeliveries/${d.uid}/deliveryattempts`).set(p.auth).expect(200);
    expect(attempts.body.data[0].error_class).toBe('egress_denied:loopback');
  });
});
