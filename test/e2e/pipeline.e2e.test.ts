import request from 'supertest';
import { verifyConvoySignature, verifyStandardWebhook } from '../../libs/webhooks';
import { createTestProject, deleteRedisPrefix, PipelineHarness, Sinks, startPipelineHarness, TestProject, waitUntil, WebhookSink } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/**
 * The whole path with real parts: API in process, worker in process, real PostgreSQL and
 * Redis, real HTTP sinks on loopback.
 */
type Proj = TestProject;

describe('event pipeline (e2e)', () => {
  let h: PipelineHarness;
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());

  const sink = (behaviour?: ConstructorParameters<typeof WebhookSink>[0]): Promise<WebhookSink> => sinks.start(behaviour);

  const project = (config: Record<string, unknown> = {}): Promise<TestProject> =>
    createTestProject(h.api.getHttpServer(), { strategy: { type: 'linear', duration: 1, retry_count: 4 }, ...config }, 'pipe');

  async function endpoint(p: Proj, url: string, extra: Record<string, unknown> = {}): Promise<{ uid: string; secret: string }> {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: `ep-${url}`, url, ...extra })
      .expect(201);
    const secrets = res.body.data.secrets as { value: string }[];
    return { uid: res.body.data.uid, secret: secrets[secrets.length - 1].value };
  }

  async function subscribe(p: Proj, endpointId: string, filter: Record<string, unknown> = {}): Promise<void> {
    await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: `sub-${endpointId}`, endpoint_id: endpointId, filter_config: { event_types: ['*'], ...filter } })
      .expect(201);
  }

  async function deliveriesOf(p: Proj, eventId: string): Promise<{ uid: string; status: string; metadata: { num_trials: number } }[]> {
    const res = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?eventId=${eventId}`).set(p.auth).expect(200);
    return res.body.data.content;
  }

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'] });
  });
  afterAll(async () => {
    await sinks.stopAll();
    await h.close();
  });

  it('fans out to every endpoint of an owner, signed so receivers can verify', async () => {
    const p = await project();
    const targets = await Promise.all([sink(), sink(), sink()]);
    const eps = [];
    for (const s of targets) {
      const ep = await endpoint(p, s.url, { owner_id: 'acme', advanced_signatures: true });
      await subscribe(p, ep.uid);
      eps.push(ep);
    }
    const res = await http()
      .post(`/api/v1/projects/${p.id}/events/fanout`)
      .set(p.auth)
      .send({ owner_id: 'acme', event_type: 'invoice.paid', data: { amount: 42, currency: 'EUR' } })
      .expect(201);
    const eventId = res.body.data.uid as string;
    for (const [i, s] of targets.entries()) {
      const [r] = await s.waitFor((rs) => rs.length >= 1);
      expect(JSON.parse(r.body)).toEqual({ amount: 42, currency: 'EUR' });
      expect(r.headers['x-caravan-delivery-id']).toBeTruthy();
      expect(
        verifyConvoySignature({
          payload: r.body,
          header: r.headers['x-convoy-signature'],
          secret: eps[i].secret,
          hash: 'SHA256',
          encoding: 'hex',
          advanced: true,
          toleranceSeconds: 300,
        }),
      ).toBe(true);
      expect(
        verifyConvoySignature({
          payload: r.body,
          header: r.headers['x-convoy-signature'],
          secret: 'wrong',
          hash: 'SHA256',
          encoding: 'hex',
          advanced: true,
          toleranceSeconds: 300,
        }),
      ).toBe(false);
    }
    const ds = await waitUntil('all deliveries to succeed', async () => {
      const list = await deliveriesOf(p, eventId);
      return list.length === 3 && list.every((d) => d.status === 'Success') && list;
    });
    expect(ds).toHaveLength(3);
    await waitUntil(
      'the event to settle',
      async () => (await http().get(`/api/v1/projects/${p.id}/events/${eventId}`).set(p.auth)).body.data.status === 'Success',
    );
  });

  it('retries a failing receiver on the project schedule and records every attempt', async () => {
    const p = await project();
    const s = await sink((_req, n) => (n < 2 ? { status: 500 } : { status: 200 }));
    const ep = await endpoint(p, s.url);
    await subscribe(p, ep.uid);
    const res = await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: ep.uid, event_type: 'a.b', data: { n: 1 } })
      .expect(201);
    await s.waitFor((rs) => rs.length >= 3, 20_000);
    const ids = new Set(s.receipts.map((r) => r.headers['x-caravan-delivery-id']));
    expect(ids.size).toBe(1);
    // linear, 1 s apart: never early
    expect(s.receipts[1].at - s.receipts[0].at).toBeGreaterThanOrEqual(900);
    const [d] = await waitUntil('success', async () => {
      const list = await deliveriesOf(p, res.body.data.uid);
      return list[0]?.status === 'Success' && list;
    });
    expect(d.metadata.num_trials).toBe(3);
    const attempts = await http().get(`/api/v1/projects/${p.id}/eventdeliveries/${d.uid}/deliveryattempts`).set(p.auth).expect(200);
    expect(attempts.body.data.map((a: { http_status: string }) => a.http_status)).toEqual(['500', '500', '200']);
    expect(attempts.body.data[0].error_class).toBe('http_5xx');
    const one = await http().get(`/api/v1/projects/${p.id}/eventdeliveries/${d.uid}/deliveryattempts/${attempts.body.data[2].uid}`).set(p.auth).expect(200);
    expect(one.body.data.status).toBe(true);
  });

  it('returns the original event for a repeated idempotency key and delivers once', async () => {
    const p = await project();
    const s = await sink();
    const ep = await endpoint(p, s.url);
    await subscribe(p, ep.uid);
    const body = { endpoint_id: ep.uid, event_type: 'x', data: { k: 1 }, idempotency_key: 'order-7' };
    const [a, b] = await Promise.all([
      http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send(body),
      http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send(body),
    ]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.data.uid).toBe(b.body.data.uid);
    const c = await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send(body).expect(201);
    expect(c.body.data.uid).toBe(a.body.data.uid);
    expect(c.body.data.is_duplicate_event).toBe(true);
    await s.waitFor((rs) => rs.length >= 1);
    await new Promise((r) => setTimeout(r, 600));
    expect(s.receipts).toHaveLength(1);
  });

  it('holds deliveries while an endpoint is paused and sends them on resume', async () => {
    const p = await project();
    const s = await sink();
    const ep = await endpoint(p, s.url);
    await subscribe(p, ep.uid);
    await http().put(`/api/v1/projects/${p.id}/endpoints/${ep.uid}/pause`).set(p.auth).expect(202);
    const res = await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: ep.uid, event_type: 'x', data: { held: true } })
      .expect(201);
    await waitUntil('the delivery to be held', async () => {
      const [d] = await deliveriesOf(p, res.body.data.uid);
      return d && d.status === 'Scheduled' && (d as unknown as { description: string }).description.startsWith('held');
    });
    expect(s.receipts).toHaveLength(0);
    await http().put(`/api/v1/projects/${p.id}/endpoints/${ep.uid}/activate`).set(p.auth).expect(202);
    await s.waitFor((rs) => rs.length === 1);
  });

  it('replays an event as a new delivery and resends a failed one', async () => {
    const p = await project({ strategy: { type: 'linear', duration: 1, retry_count: 1 } });
    let healthy = false;
    const s = await sink(() => ({ status: healthy ? 200 : 503 }));
    const ep = await endpoint(p, s.url);
    await subscribe(p, ep.uid);
    const ev = (
      await http()
        .post(`/api/v1/projects/${p.id}/events`)
        .set(p.auth)
        .send({ endpoint_id: ep.uid, event_type: 'x', data: { r: 1 } })
        .expect(201)
    ).body.data;
    const [failed] = await waitUntil('failure', async () => {
      const list = await deliveriesOf(p, ev.uid);
      return list[0]?.status === 'Failure' && list;
    });
    healthy = true;
    await http().put(`/api/v1/projects/${p.id}/eventdeliveries/${failed.uid}/resend`).set(p.auth).expect(200);
    await waitUntil('resent success', async () => (await deliveriesOf(p, ev.uid))[0]?.status === 'Success');
    await http().put(`/api/v1/projects/${p.id}/eventdeliveries/${failed.uid}/resend`).set(p.auth).expect(400);

    await http().put(`/api/v1/projects/${p.id}/events/${ev.uid}/replay`).set(p.auth).expect(200);
    const all = await waitUntil('a second delivery', async () => {
      const list = await deliveriesOf(p, ev.uid);
      return list.length === 2 && list.every((d) => d.status === 'Success') && list;
    });
    expect(new Set(all.map((d) => d.uid)).size).toBe(2);
    const okReceipts = s.receipts.filter((r) => r.status === 200);
    expect(new Set(okReceipts.map((r) => r.headers['x-caravan-delivery-id'])).size).toBe(2);
  });

  it('ends an event that matches no subscription as Failure with a reason', async () => {
    const p = await project();
    const s = await sink();
    const ep = await endpoint(p, s.url);
    await subscribe(p, ep.uid, { event_types: ['only.this'] });
    const ev = (await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: ep.uid, event_type: 'other', data: {} }).expect(201)).body
      .data;
    const got = await waitUntil('failure', async () => {
      const e = (await http().get(`/api/v1/projects/${p.id}/events/${ev.uid}`).set(p.auth)).body.data;
      return e.status === 'Failure' && e;
    });
    expect(got.failure_reason).toMatch(/no subscription/);
  });

  it('signs Standard Webhooks when the project asks for them', async () => {
    const p = await project({ signature_scheme: 'standard' });
    const s = await sink();
    const ep = await endpoint(p, s.url);
    expect(ep.secret).toMatch(/^whsec_/);
    await subscribe(p, ep.uid);
    await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: ep.uid, event_type: 'x', data: { std: true } })
      .expect(201);
    const [r] = await s.waitFor((rs) => rs.length === 1);
    expect(r.headers['webhook-id']).toBe(r.headers['x-caravan-delivery-id']);
    expect(verifyStandardWebhook({ payload: r.body, headers: r.headers, secret: ep.secret, toleranceSeconds: 300 })).toBe(true);
  });

  it('delivers every acknowledged event after Redis loses all of its keys', async () => {
    const p = await project();
    const s = await sink();
    const ep = await endpoint(p, s.url);
    await subscribe(p, ep.uid);
    await h.stopWorker();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: ep.uid, event_type: 'x', data: { i } }).expect(201);
      ids.push(res.body.data.uid);
    }
    await deleteRedisPrefix(h.config.redisPrefix);
    await h.startWorker();
    await s.waitFor((rs) => new Set(rs.map((r) => (JSON.parse(r.body) as { i: number }).i)).size === 20, 20_000);
  });

  describe('bad input', () => {
    let p: { id: string; auth: { Authorization: string } };
    let epId: string;
    beforeAll(async () => {
      p = await project({ max_payload_read_size: 2048 });
      const s = await sink();
      epId = (await endpoint(p, s.url)).uid;
    });
    const post = (body: string | Buffer, type = 'application/json') =>
      http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).set('Content-Type', type).send(body);

    it('refuses malformed JSON, wrong content types and oversized bodies', async () => {
      expect((await post('{"endpoint_id":')).status).toBe(400);
      expect((await post('endpoint_id=x', 'application/x-www-form-urlencoded')).status).toBe(415);
      const big = JSON.stringify({ endpoint_id: epId, event_type: 'x', data: { blob: 'a'.repeat(4096) } });
      const res = await post(big);
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('payload_too_large');
      const huge = JSON.stringify({ endpoint_id: epId, event_type: 'x', data: { blob: 'a'.repeat(2 * 1024 * 1024) } });
      expect((await post(huge)).status).toBe(413);
    });

    it('refuses deep nesting, NUL characters and invalid UTF-8 before storing anything', async () => {
      let deep: unknown = { end: true };
      for (let i = 0; i < 70; i++) deep = { d: deep };
      expect((await post(JSON.stringify({ endpoint_id: epId, event_type: 'x', data: deep }))).status).toBe(400);
      expect((await post(JSON.stringify({ endpoint_id: epId, event_type: 'x', data: { s: 'a\u0000b' } }))).status).toBe(400);
      const bad = Buffer.concat([Buffer.from(`{"endpoint_id":"${epId}","event_type":"x","data":{"s":"`), Buffer.from([0xc3, 0x28]), Buffer.from('"}}')]);
      expect((await post(bad)).status).toBe(400);
      const list = await http().get(`/api/v1/projects/${p.id}/events`).set(p.auth).expect(200);
      expect(list.body.data.content).toHaveLength(0);
    });

    it('refuses custom headers that could smuggle or forge', async () => {
      for (const custom_headers of [{ 'X-Ok': 'a\r\nX-Evil: 1' }, { Host: 'evil' }, { 'X-Convoy-Signature': 'forged' }, { 'Transfer-Encoding': 'chunked' }]) {
        const res = await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: epId, event_type: 'x', data: {}, custom_headers });
        expect(res.status).toBe(400);
      }
    });

    it('answers 404 for another project’s endpoint', async () => {
      const other = await project();
      const res = await http().post(`/api/v1/projects/${other.id}/events`).set(other.auth).send({ endpoint_id: epId, event_type: 'x', data: {} });
      expect(res.status).toBe(404);
    });
  });
});
