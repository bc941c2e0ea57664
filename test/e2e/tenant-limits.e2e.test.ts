import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { ApiHarness, startApiHarness, TEST_ADMIN_KEY } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';

/**
 * A tenant cannot outlive its project or grow without bound: deleting a project ends its
 * keys on every pod at once, nothing can be created under it afterwards, and every
 * per-project collection has a limit.
 */
describe('tenant limits (e2e)', () => {
  let h: ApiHarness;
  let other: NestFastifyApplication;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const on = (app: NestFastifyApplication) => request(app.getHttpServer());

  beforeAll(async () => {
    h = await startApiHarness(createApiApp, {
      egressAllow: ['127.0.0.0/8'],
      projectMaxApiKeys: 2,
      projectMaxEventTypes: 2,
      projectMaxEndpoints: 2,
      projectMaxSubscriptions: 1,
    });
    // a second api pod on the same PostgreSQL and Redis
    other = await createApiApp({ config: h.config });
    await other.init();
    await other.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await other?.close();
    await h?.close();
  });

  async function project(): Promise<{ id: string; auth: { Authorization: string } }> {
    const res = await on(h.app)
      .post('/api/v1/projects')
      .set(admin)
      .send({ name: 'limits', type: 'outgoing', config: { ssl: { enforce_secure_endpoints: false } } })
      .expect(201);
    return { id: res.body.data.project.uid, auth: { Authorization: `Bearer ${res.body.data.api_key.key}` } };
  }

  it("ends a deleted project's keys on every pod at once, and mints no key for it afterwards", async () => {
    const p = await project();
    // the other pod has authenticated (and cached) the key
    await on(other).get(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).expect(200);
    await on(h.app).delete(`/api/v1/projects/${p.id}`).set(admin).expect(200);
    // no waiting for a cache to expire: the broadcast reaches the other pod within a round trip
    const deadline = Date.now() + 2_000;
    let status = 200;
    while (Date.now() < deadline && status === 200) {
      status = (await on(other).get(`/api/v1/projects/${p.id}/endpoints`).set(p.auth)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
    await on(other).post(`/api/v1/projects/${p.id}/api-keys`).set(admin).send({ name: 'late' }).expect(404);
    await on(other).post(`/api/v1/projects/${p.id}/events/broadcast`).set(admin).send({ event_type: 'x', data: {} }).expect(404);
  });

  it('refuses keys past the limit, and expiries that are not in the future', async () => {
    const p = await project();
    await on(h.app).post(`/api/v1/projects/${p.id}/api-keys`).set(p.auth).send({ name: 'two' }).expect(201);
    const third = await on(h.app).post(`/api/v1/projects/${p.id}/api-keys`).set(p.auth).send({ name: 'three' }).expect(400);
    expect(third.body.code).toBe('limit_reached');
    const past = await on(h.app).post(`/api/v1/projects/${p.id}/api-keys`).set(admin).send({ name: 'old', expires_at: '2001-01-01T00:00:00Z' }).expect(400);
    expect(past.body.code).toBe('invalid_expires_at');
  });

  it('refuses event types past the limit and schemas past their size', async () => {
    const p = await project();
    const big = { type: 'object', description: 'x'.repeat(20_000) };
    const tooBig = await on(h.app).post(`/api/v1/projects/${p.id}/event-types`).set(p.auth).send({ name: 'big', json_schema: big }).expect(400);
    expect(tooBig.body.code).toBe('json_schema_too_large');
    await on(h.app).post(`/api/v1/projects/${p.id}/event-types`).set(p.auth).send({ name: 'a' }).expect(201);
    await on(h.app).post(`/api/v1/projects/${p.id}/event-types`).set(p.auth).send({ name: 'b' }).expect(201);
    const third = await on(h.app).post(`/api/v1/projects/${p.id}/event-types`).set(p.auth).send({ name: 'c' }).expect(400);
    expect(third.body.code).toBe('limit_reached');
  });

  it('answers a filter bomb on test_filter with 400 at once, and the API stays responsive', async () => {
    const p = await project();
    // a regex that keeps dozens of states alive over 200,000 characters: millions of steps, once uncounted
    const bomb = {
      request: { body: { s: '1'.repeat(200_000) } },
      schema: { body: { s: { $regex: '(?:1?){40}1{40}x' } } },
    };
    const res = await on(h.app).post(`/api/v1/projects/${p.id}/subscriptions/test_filter`).set(p.auth).send(bomb);
    expect([res.status, res.body.code]).toEqual([400, 'filter_too_expensive']);
    await on(h.app).get('/health/live').expect(200);
  });

  it('refuses endpoints and subscriptions past their limits, dynamic events included', async () => {
    const p = await project();
    const ep = async (n: number) =>
      on(h.app)
        .post(`/api/v1/projects/${p.id}/endpoints`)
        .set(p.auth)
        .send({ name: `e${n}`, url: `http://127.0.0.1:9/${n}` });
    const e1 = (await ep(1)).body.data.uid as string;
    expect((await ep(2)).status).toBe(201);
    expect((await ep(3)).body.code).toBe('limit_reached');
    const dynamic = await on(h.app)
      .post(`/api/v1/projects/${p.id}/events/dynamic`)
      .set(p.auth)
      .send({ url: 'http://127.0.0.1:9/new', event_type: 'x', data: {} });
    expect([dynamic.status, dynamic.body.code]).toEqual([400, 'limit_reached']);
    const sub = (name: string) =>
      on(h.app)
        .post(`/api/v1/projects/${p.id}/subscriptions`)
        .set(p.auth)
        .send({ name, endpoint_id: e1, filter_config: { event_types: ['*'] } });
    expect((await sub('one')).status).toBe(201);
    expect((await sub('two')).body.code).toBe('limit_reached');
  });
});

describe('request rate limits (e2e)', () => {
  let h: ApiHarness;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const http = () => request(h.app.getHttpServer());

  beforeAll(async () => {
    h = await startApiHarness(createApiApp, { apiRateLimit: 10, ingestRateLimit: 5 });
  });
  afterAll(async () => {
    await h?.close();
  });

  async function project(): Promise<{ id: string; auth: { Authorization: string } }> {
    const res = await http().post('/api/v1/projects').set(admin).send({ name: 'busy', type: 'outgoing' }).expect(201);
    return { id: res.body.data.project.uid, auth: { Authorization: `Bearer ${res.body.data.api_key.key}` } };
  }

  it("answers 429 with Retry-After past a project's ingest rate, without touching another project", async () => {
    const busy = await project();
    const calm = await project();
    const send = (p: { id: string; auth: { Authorization: string } }) =>
      http().post(`/api/v1/projects/${p.id}/events/broadcast`).set(p.auth).send({ event_type: 'x', data: {} });
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(busy)));
    const limited = answers.filter((r) => r.status === 429);
    // a second boundary can split the burst over two windows: at most twice the limit passes
    expect(answers.filter((r) => r.status === 201).length).toBeLessThanOrEqual(10);
    expect(limited.length).toBeGreaterThanOrEqual(10);
    expect(limited[0].headers['retry-after']).toBe('1');
    expect(limited[0].body.code).toBe('rate_limited');
    expect((await send(calm)).status).toBe(201);
  });

  it('limits every route per key, never the instance admin key', async () => {
    const p = await project();
    const reads = await Promise.all(Array.from({ length: 120 }, () => http().get(`/api/v1/projects/${p.id}/endpoints`).set(p.auth)));
    expect(reads.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    const adminReads = await Promise.all(Array.from({ length: 120 }, () => http().get(`/api/v1/projects/${p.id}/endpoints`).set(admin)));
    expect(adminReads.every((r) => r.status === 200)).toBe(true);
  });
});
