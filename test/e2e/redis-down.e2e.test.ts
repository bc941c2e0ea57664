import request from 'supertest';
import { ApiHarness, startApiHarness, TEST_ADMIN_KEY } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';

/**
 * Redis is a wake-up hint, never the record: with no Redis at all the API still accepts
 * events (the sweeper wakes them later), and readiness says 503 rather than failing.
 */
describe('api with Redis unreachable (e2e)', () => {
  let h: ApiHarness;
  const http = () => request(h.app.getHttpServer());

  beforeAll(async () => {
    // nothing listens on port 1
    h = await startApiHarness(createApiApp, { redisUrl: 'redis://127.0.0.1:1', egressAllow: ['127.0.0.1:9'] });
  });
  afterAll(async () => {
    await h.close();
  });

  it('still acknowledges events only after committing them', async () => {
    const created = await http()
      .post('/api/v1/projects')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({ name: 'no-redis', type: 'outgoing', config: { ssl: { enforce_secure_endpoints: false } } })
      .expect(201);
    const pid = created.body.data.project.uid as string;
    const auth = { Authorization: `Bearer ${created.body.data.api_key.key as string}` };
    const ep = await http().post(`/api/v1/projects/${pid}/endpoints`).set(auth).send({ name: 'e', url: 'http://127.0.0.1:9/' }).expect(201);
    await http()
      .post(`/api/v1/projects/${pid}/subscriptions`)
      .set(auth)
      .send({ name: 's', endpoint_id: ep.body.data.uid, filter_config: { event_types: ['*'] } })
      .expect(201);
    const started = Date.now();
    const ev = await http()
      .post(`/api/v1/projects/${pid}/events`)
      .set(auth)
      .send({ endpoint_id: ep.body.data.uid, event_type: 'x', data: { a: 1 } })
      .expect(201);
    expect(Date.now() - started).toBeLessThan(5000);
    const stored = await http().get(`/api/v1/projects/${pid}/events/${ev.body.data.uid}`).set(auth).expect(200);
    expect(stored.body.data).toMatchObject({ status: 'Processing', data: { a: 1 } });
    const deliveries = await http().get(`/api/v1/projects/${pid}/eventdeliveries?eventId=${ev.body.data.uid}`).set(auth).expect(200);
    expect(deliveries.body.data.content).toHaveLength(1);
    expect(deliveries.body.data.content[0].status).toBe('Scheduled');
  });

  it('reports not ready with 503 and says which dependency is down', async () => {
    const res = await http().get('/health/ready').expect(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(JSON.stringify(res.body)).toContain('redis');
  });
});
