import request from 'supertest';
import { verifyConvoySignature } from '../../libs/webhooks';
import { createTestProject, PipelineHarness, Sinks, startPipelineHarness, TEST_ADMIN_KEY, TestProject, WebhookSink } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';
import { ExpiredSecretPurger } from '../../src/modules/endpoints';

/**
 * Endpoint isolation end to end: one bad endpoint must not slow the others, a dead one is
 * stopped, and a throttled one is deferred without spending retries.
 */
type Proj = TestProject;
const METRICS_TOKEN = 'metrics-token-0123456789';
type Delivery = { uid: string; status: string; description: string; metadata: { num_trials: number } };

describe('endpoint health (e2e)', () => {
  let h: PipelineHarness;
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());

  const sink = (behaviour?: ConstructorParameters<typeof WebhookSink>[0]): Promise<WebhookSink> => sinks.start(behaviour);

  const project = (config: Record<string, unknown> = {}): Promise<TestProject> =>
    createTestProject(h.api.getHttpServer(), { strategy: { type: 'linear', duration: 1, retry_count: 5 }, ...config }, 'health');

  async function endpoint(p: Proj, url: string, extra: Record<string, unknown> = {}): Promise<{ uid: string; secret: string }> {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: `ep-${url}`, url, ...extra })
      .expect(201);
    const secrets = res.body.data.secrets as { value: string }[];
    await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: `sub-${res.body.data.uid}`, endpoint_id: res.body.data.uid, filter_config: { event_types: ['*'] } })
      .expect(201);
    return { uid: res.body.data.uid, secret: secrets[secrets.length - 1].value };
  }

  async function send(p: Proj, endpointId: string, data: Record<string, unknown>): Promise<string> {
    const res = await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: endpointId, event_type: 'health.test', data }).expect(201);
    return res.body.data.uid as string;
  }

  async function deliveriesOf(p: Proj, eventId: string): Promise<Delivery[]> {
    const res = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?eventId=${eventId}`).set(p.auth).expect(200);
    return res.body.data.content;
  }

  async function endpointRead(p: Proj, id: string): Promise<{ status: string; cb_state: string | null; failure_rate: number | null }> {
    return (await http().get(`/api/v1/projects/${p.id}/endpoints/${id}`).set(p.auth).expect(200)).body.data;
  }

  async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, {
      egressAllow: ['127.0.0.0/8'],
      workerConcurrency: 10,
      endpointMaxConcurrency: 2,
      metricsToken: METRICS_TOKEN,
    });
  });
  afterAll(async () => {
    await sinks.stopAll();
    await h.close();
  });

  it('keeps healthy endpoints at full speed while one hangs, one fails and one refuses connections', async () => {
    const p = await project({
      circuit_breaker: { minimum_request_count: 4, failure_threshold: 50, error_timeout: 60, sample_rate: 5, observability_window: 1 },
    });
    const hanging = await sink(() => 'hang');
    const failing = await sink(() => ({ status: 500 }));
    const healthy = await Promise.all(Array.from({ length: 8 }, () => sink()));
    const hangEp = await endpoint(p, hanging.url, { http_timeout: 20 });
    const failEp = await endpoint(p, failing.url);
    const closed = new WebhookSink();
    const closedUrl = await closed.start();
    await closed.stop();
    const refusedEp = await endpoint(p, closedUrl);
    const healthyEps = [];
    for (const s of healthy) healthyEps.push(await endpoint(p, s.url));
    const perEndpoint = 15;
    const started = Date.now();
    for (let i = 0; i < perEndpoint; i++) {
      await Promise.all([
        send(p, hangEp.uid, { i }),
        send(p, failEp.uid, { i }),
        send(p, refusedEp.uid, { i }),
        ...healthyEps.map((e) => send(p, e.uid, { i })),
      ]);
    }
    await Promise.all(healthy.map((s) => s.waitFor((rs) => rs.length >= perEndpoint, 20_000)));
    const elapsed = Date.now() - started;
    // the hanging endpoint never holds more than its cap of worker slots (10 per worker)
    expect(hanging.receipts.length).toBeLessThanOrEqual(2);
    // an order of magnitude under the hanging endpoint's 20 s timeout
    expect(elapsed).toBeLessThan(10_000);
    for (const s of healthy) expect(s.receipts).toHaveLength(perEndpoint);

    const failRead = await until('the failing endpoint’s breaker to open', async () => {
      const e = await endpointRead(p, failEp.uid);
      return e.cb_state === 'open' && e;
    });
    expect(failRead.failure_rate).toBeGreaterThanOrEqual(50);
    // a worker may reuse a closed reading for a moment (CLOSED_STATE_TTL_MS)
    await new Promise((r) => setTimeout(r, 300));
    const sentWhileOpen = failing.receipts.length;
    await new Promise((r) => setTimeout(r, 1500));
    // open: deferred, not sent, and no retry spent
    expect(failing.receipts.length).toBe(sentWhileOpen);
    const healthyRead = await endpointRead(p, healthyEps[0].uid);
    expect(healthyRead.cb_state).toBe('closed');
    expect(healthyRead.failure_rate).toBe(0);
  });

  it('disables an endpoint that answers 410 Gone and holds its deliveries until activation', async () => {
    const p = await project();
    let gone = true;
    const s = await sink(() => (gone ? { status: 410 } : { status: 200 }));
    const ep = await endpoint(p, s.url);
    const eventId = await send(p, ep.uid, { n: 1 });
    await until('the endpoint to be disabled', async () => (await endpointRead(p, ep.uid)).status === 'inactive');
    const held = await until('the delivery to be held', async () => {
      const [d] = await deliveriesOf(p, eventId);
      return d?.description.startsWith('held') && d;
    });
    expect(held.status).toBe('Retry');
    expect(s.receipts).toHaveLength(1);
    gone = false;
    await http().put(`/api/v1/projects/${p.id}/endpoints/${ep.uid}/activate`).set(p.auth).expect(202);
    await s.waitFor((rs) => rs.length === 2);
    await until('the held delivery to succeed', async () => (await deliveriesOf(p, eventId))[0]?.status === 'Success');
  });

  it('disables after the consecutive-failure threshold when the project asks for it', async () => {
    const p = await project({ disable_endpoint: true, circuit_breaker: { consecutive_failure_threshold: 3, minimum_request_count: 100 } });
    const s = await sink(() => ({ status: 503 }));
    const ep = await endpoint(p, s.url);
    await send(p, ep.uid, { n: 1 });
    await until('the endpoint to be disabled', async () => (await endpointRead(p, ep.uid)).status === 'inactive');
    expect(s.receipts).toHaveLength(3);
  });

  it('still discards deliveries of an endpoint a user disabled', async () => {
    const p = await project();
    const s = await sink();
    const ep = await endpoint(p, s.url);
    await http().put(`/api/v1/projects/${p.id}/endpoints/${ep.uid}`).set(p.auth).send({ is_disabled: true }).expect(202);
    const eventId = await send(p, ep.uid, { n: 1 });
    await until('the delivery to be discarded', async () => (await deliveriesOf(p, eventId))[0]?.status === 'Discarded');
    expect(s.receipts).toHaveLength(0);
  });

  it('defers a rate-limited endpoint without spending attempts', async () => {
    const p = await project();
    const s = await sink();
    const ep = await endpoint(p, s.url, { rate_limit: 2, rate_limit_duration: 1 });
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await send(p, ep.uid, { i }));
    await s.waitFor((rs) => rs.length >= 6, 20_000);
    // 2 at once, then one every 500 ms: the sixth cannot arrive before ~2 s
    expect(s.receipts[5].at - s.receipts[0].at).toBeGreaterThanOrEqual(1500);
    for (const id of ids) {
      const [d] = await until('success', async () => {
        const list = await deliveriesOf(p, id);
        return list[0]?.status === 'Success' && list;
      });
      expect(d.metadata.num_trials).toBe(1);
    }
  });

  it('signs with both secrets while the old one is expiring', async () => {
    const p = await project();
    const s = await sink();
    const ep = await endpoint(p, s.url, { advanced_signatures: true });
    await http()
      .put(`/api/v1/projects/${p.id}/endpoints/${ep.uid}/expire_secret`)
      .set(p.auth)
      .send({ expiration: 60, secret: 'n3w-s3cret-value-0123456789abcdef' })
      .expect(200);
    await send(p, ep.uid, { n: 1 });
    const [r] = await s.waitFor((rs) => rs.length >= 1);
    const verify = (secret: string) =>
      verifyConvoySignature({
        payload: r.body,
        header: r.headers['x-convoy-signature'],
        secret,
        hash: 'SHA256',
        encoding: 'hex',
        advanced: true,
        toleranceSeconds: 300,
      });
    expect(verify(ep.secret)).toBe(true);
    expect(verify('n3w-s3cret-value-0123456789abcdef')).toBe(true);
    expect(verify('some-other-secret')).toBe(false);
  });

  it('removes a rotated secret once its overlap is over, and signs with the new one only', async () => {
    const p = await project();
    const s = await sink();
    const ep = await endpoint(p, s.url, { advanced_signatures: true });
    const next = 'r0tated-secret-0123456789abcdef';
    await http().put(`/api/v1/projects/${p.id}/endpoints/${ep.uid}/expire_secret`).set(p.auth).send({ expiration: 1, secret: next }).expect(200);
    const before = await http().get(`/api/v1/projects/${p.id}/endpoints/${ep.uid}`).set(p.auth).expect(200);
    expect(before.body.data.secrets).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 1200));
    await expect(h.worker.get(ExpiredSecretPurger, { strict: false }).purgeOnce()).resolves.toBeGreaterThanOrEqual(1);
    const after = await http().get(`/api/v1/projects/${p.id}/endpoints/${ep.uid}`).set(p.auth).expect(200);
    expect(after.body.data.secrets.map((x: { value: string }) => x.value)).toEqual([next]);
    await send(p, ep.uid, { n: 1 });
    const [r] = await s.waitFor((rs) => rs.length >= 1);
    const verify = (secret: string) =>
      verifyConvoySignature({
        payload: r.body,
        header: r.headers['x-convoy-signature'],
        secret,
        hash: 'SHA256',
        encoding: 'hex',
        advanced: true,
        toleranceSeconds: 300,
      });
    expect(verify(next)).toBe(true);
    expect(verify(ep.secret)).toBe(false);
  });

  it('serves Prometheus text on /metrics to the metrics token only, never an API key', async () => {
    await http().get('/metrics').expect(404);
    await http()
      .get('/metrics')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .expect(404);
    const res = await http()
      .get('/metrics')
      .set({ Authorization: `Bearer ${METRICS_TOKEN}` })
      .expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('caravan_queue_depth');
    const docs = await http().get('/docs-json');
    if (docs.status === 200) expect(JSON.stringify(docs.body.paths)).not.toContain('/metrics');
  });
});
