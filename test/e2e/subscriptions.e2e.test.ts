import request from 'supertest';
import { ApiHarness, startApiHarness, TEST_ADMIN_KEY } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { SubscriptionsService } from '../../src/modules/subscriptions';

describe('subscriptions (e2e)', () => {
  let h: ApiHarness;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const http = () => request(h.app.getHttpServer());

  type Project = { id: string; auth: Record<string, string> };

  async function newProject(config: Record<string, unknown> = {}): Promise<Project> {
    const res = await http().post('/api/v1/projects').set(admin).send({ name: 'shop', type: 'outgoing', config }).expect(201);
    return { id: res.body.data.project.uid as string, auth: { Authorization: `Bearer ${res.body.data.api_key.key}` } };
  }

  async function newEndpoint(p: Project, name = 'orders'): Promise<string> {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name, url: `https://hooks.example.com/${name}` })
      .expect(201);
    return res.body.data.uid as string;
  }

  async function newSubscription(p: Project, endpointId: string, body: Record<string, unknown> = {}) {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 'orders-sub', endpoint_id: endpointId, ...body })
      .expect(201);
    return res.body.data;
  }

  beforeAll(async () => {
    h = await startApiHarness(createApiApp);
  });
  afterAll(async () => {
    await h.close();
  });

  it("walks a newcomer's path: endpoint, subscription with Convoy defaults, fetched back", async () => {
    const p = await newProject();
    const endpointId = await newEndpoint(p);
    const sub = await newSubscription(p, endpointId);
    expect(sub).toMatchObject({
      name: 'orders-sub',
      type: 'api',
      project_id: p.id,
      endpoint_id: endpointId,
      delivery_mode: 'at_least_once',
      filter_config: { event_types: ['*'], filter: { headers: {}, body: {}, is_flattened: false } },
      rate_limit_config: null,
      alert_config: null,
      deleted_at: null,
    });
    expect(sub.endpoint_metadata).toMatchObject({ uid: endpointId, name: 'orders' });
    const got = await http().get(`/api/v1/projects/${p.id}/subscriptions/${sub.uid}`).set(p.auth).expect(200);
    expect(got.body.data).toEqual(sub);
  });

  it('stores filters, delivery mode and limits as given', async () => {
    const p = await newProject();
    const endpointId = await newEndpoint(p);
    const sub = await newSubscription(p, endpointId, {
      filter_config: {
        event_types: ['invoice.paid', 'invoice.paid', 'invoice.failed'],
        filter: { body: { amount: { $gte: 100 } }, headers: { 'x-tenant': 'acme' } },
      },
      delivery_mode: 'at_most_once',
      rate_limit_config: { count: 10, duration: 60 },
      alert_config: { count: 3, threshold: '1h' },
    });
    expect(sub.filter_config).toEqual({
      event_types: ['invoice.paid', 'invoice.failed'],
      filter: { body: { amount: { $gte: 100 } }, headers: { 'x-tenant': 'acme' }, query: {}, path: {}, is_flattened: false },
    });
    expect(sub).toMatchObject({ delivery_mode: 'at_most_once', rate_limit_config: { count: 10, duration: 60 }, alert_config: { count: 3, threshold: '1h' } });
  });

  it('refuses filters it cannot run, naming the problem (400)', async () => {
    const p = await newProject({ multiple_endpoint_subscriptions: true });
    const endpointId = await newEndpoint(p);
    const bad = await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 's', endpoint_id: endpointId, filter_config: { filter: { body: { amount: { $nope: 1 } } } } })
      .expect(400);
    expect(bad.body.code).toBe('invalid_filter');
    expect(bad.body.message).toContain('filter_config.filter.body');
    const path = await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 's', endpoint_id: endpointId, filter_config: { filter: { path: { 'segments.$.name': 'x' } } } })
      .expect(400);
    expect(path.body.message).toContain('filter_config.filter.path');
    const fn = await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 's', endpoint_id: endpointId, function: 'function transform(p) { return p' })
      .expect(400);
    expect(fn.body.code).toBe('invalid_function');
    const modes = await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 's', endpoint_id: endpointId, delivery_mode: 'sometimes' })
      .expect(400);
    expect(modes.body.data.errors.map((e: { field: string }) => e.field)).toEqual(['delivery_mode']);
    // nothing was stored by the refused requests
    const list = await http().get(`/api/v1/projects/${p.id}/subscriptions`).set(p.auth).expect(200);
    expect(list.body.data.content).toHaveLength(0);
  });

  it('allows one subscription per endpoint unless the project enables several', async () => {
    const single = await newProject();
    const e1 = await newEndpoint(single);
    await newSubscription(single, e1);
    const taken = await http().post(`/api/v1/projects/${single.id}/subscriptions`).set(single.auth).send({ name: 'again', endpoint_id: e1 }).expect(409);
    expect(taken.body.code).toBe('subscription_exists');

    const multi = await newProject({ multiple_endpoint_subscriptions: true });
    const e2 = await newEndpoint(multi);
    await newSubscription(multi, e2);
    await newSubscription(multi, e2, { name: 'second' });
  });

  it('lists with an endpoint filter and cursor pagination', async () => {
    const p = await newProject({ multiple_endpoint_subscriptions: true });
    const ea = await newEndpoint(p, 'a');
    const eb = await newEndpoint(p, 'b');
    const made: string[] = [];
    for (let i = 0; i < 4; i++) made.push((await newSubscription(p, ea, { name: `a-${i}` })).uid);
    const other = (await newSubscription(p, eb, { name: 'b-0' })).uid;

    const first = await http().get(`/api/v1/projects/${p.id}/subscriptions?perPage=3&endpointId=${ea}`).set(p.auth).expect(200);
    expect(first.body.data.content.map((s: { uid: string }) => s.uid)).toEqual([made[3], made[2], made[1]]);
    expect(first.body.data.content[0].endpoint_metadata.uid).toBe(ea);
    expect(first.body.data.pagination).toMatchObject({ per_page: 3, has_next_page: true });
    const second = await http()
      .get(`/api/v1/projects/${p.id}/subscriptions?perPage=3&endpointId=${ea}&next_page_cursor=${first.body.data.pagination.next_page_cursor}`)
      .set(p.auth)
      .expect(200);
    expect(second.body.data.content.map((s: { uid: string }) => s.uid)).toEqual([made[0]]);
    expect(second.body.data.pagination.has_next_page).toBe(false);

    const both = await http().get(`/api/v1/projects/${p.id}/subscriptions?endpointId=${ea}&endpointId=${eb}&sort=ASC&perPage=2`).set(p.auth).expect(200);
    expect(both.body.data.content.map((s: { uid: string }) => s.uid)).toEqual([made[0], made[1]]);
    const named = await http().get(`/api/v1/projects/${p.id}/subscriptions?name=b-`).set(p.auth).expect(200);
    expect(named.body.data.content.map((s: { uid: string }) => s.uid)).toEqual([other]);
  });

  it('updates with 202, keeping what is absent, and can move to another endpoint', async () => {
    const p = await newProject();
    const e1 = await newEndpoint(p, 'one');
    const e2 = await newEndpoint(p, 'two');
    const sub = await newSubscription(p, e1, { filter_config: { event_types: ['a.b'] } });
    const res = await http()
      .put(`/api/v1/projects/${p.id}/subscriptions/${sub.uid}`)
      .set(p.auth)
      .send({ delivery_mode: 'at_most_once', endpoint_id: e2 })
      .expect(202);
    expect(res.body.data).toMatchObject({ name: 'orders-sub', delivery_mode: 'at_most_once', endpoint_id: e2, filter_config: { event_types: ['a.b'] } });
    expect(res.body.data.endpoint_metadata.uid).toBe(e2);
    // e1 is free again, e2 is taken
    await newSubscription(p, e1, { name: 'back on one' });
    await http().put(`/api/v1/projects/${p.id}/subscriptions/${sub.uid}`).set(p.auth).send({ endpoint_id: e1 }).expect(409);
    const unsupported = await http()
      .put(`/api/v1/projects/${p.id}/subscriptions/${sub.uid}`)
      .set(p.auth)
      .send({ retry_config: { type: 'linear' } })
      .expect(400);
    expect(unsupported.body.code).toBe('unsupported_retry_config');
  });

  it('tests a filter against a sample request (Convoy test_filter)', async () => {
    const p = await newProject();
    const url = `/api/v1/projects/${p.id}/subscriptions/test_filter`;
    const schema = { body: { type: 'invoice.paid', amount: { $gte: 100 } }, header: { 'x-tenant': 'acme' } };
    const yes = await http()
      .post(url)
      .set(p.auth)
      .send({ request: { body: { type: 'invoice.paid', amount: 250 }, header: { 'x-tenant': 'acme' } }, schema })
      .expect(200);
    expect(yes.body).toMatchObject({ status: true, data: true });
    const no = await http()
      .post(url)
      .set(p.auth)
      .send({ request: { body: { type: 'invoice.paid', amount: 50 }, header: { 'x-tenant': 'acme' } }, schema })
      .expect(200);
    expect(no.body.data).toBe(false);
    const wrongHeader = await http()
      .post(url)
      .set(p.auth)
      .send({ request: { body: { type: 'invoice.paid', amount: 250 }, headers: { 'x-tenant': 'globex' } }, schema })
      .expect(200);
    expect(wrongHeader.body.data).toBe(false);
    const invalid = await http()
      .post(url)
      .set(p.auth)
      .send({ request: { body: {} }, schema: { body: { amount: { $nope: 1 } } } })
      .expect(400);
    expect(invalid.body.code).toBe('invalid_filter');
  });

  it('deletes a subscription, and deleting an endpoint deletes its subscriptions', async () => {
    const p = await newProject();
    const e1 = await newEndpoint(p, 'one');
    const e2 = await newEndpoint(p, 'two');
    const s1 = await newSubscription(p, e1);
    const s2 = await newSubscription(p, e2);
    const svc = h.app.get(SubscriptionsService);
    expect((await svc.forRouting(p.id)).map((s) => s.id)).toEqual([s1.uid, s2.uid]);

    await http().delete(`/api/v1/projects/${p.id}/subscriptions/${s1.uid}`).set(p.auth).expect(200);
    await http().get(`/api/v1/projects/${p.id}/subscriptions/${s1.uid}`).set(p.auth).expect(404);
    await http().delete(`/api/v1/projects/${p.id}/subscriptions/${s1.uid}`).set(p.auth).expect(404);

    await http().delete(`/api/v1/projects/${p.id}/endpoints/${e2}`).set(p.auth).expect(200);
    await http().get(`/api/v1/projects/${p.id}/subscriptions/${s2.uid}`).set(p.auth).expect(404);
    const list = await http().get(`/api/v1/projects/${p.id}/subscriptions`).set(p.auth).expect(200);
    expect(list.body.data.content).toHaveLength(0);
    expect(await svc.forRouting(p.id)).toEqual([]);
  });

  it("answers 404 for another project's subscriptions and endpoints on every route, both ways", async () => {
    const a = await newProject();
    const b = await newProject();
    const ea = await newEndpoint(a);
    const eb = await newEndpoint(b);
    const sa = await newSubscription(a, ea);
    const sb = await newSubscription(b, eb);
    const routes = (pid: string, sid: string) => [
      () => http().get(`/api/v1/projects/${pid}/subscriptions/${sid}`),
      () => http().put(`/api/v1/projects/${pid}/subscriptions/${sid}`).send({ name: 'x' }),
      () => http().put(`/api/v1/projects/${pid}/subscriptions/${sid}/toggle_status`),
      () => http().delete(`/api/v1/projects/${pid}/subscriptions/${sid}`),
    ];
    // A's key on B's path
    for (const call of routes(b.id, sb.uid)) await call().set(a.auth).expect(404);
    await http().get(`/api/v1/projects/${b.id}/subscriptions`).set(a.auth).expect(404);
    await http().post(`/api/v1/projects/${b.id}/subscriptions`).set(a.auth).send({ name: 'x', endpoint_id: eb }).expect(404);
    await http().post(`/api/v1/projects/${b.id}/subscriptions/test_filter`).set(a.auth).send({ request: {}, schema: {} }).expect(404);
    // B's subscription under A's path, with A's key and the admin key
    for (const call of routes(a.id, sb.uid)) await call().set(a.auth).expect(404);
    for (const call of routes(a.id, sb.uid)) await call().set(admin).expect(404);
    // B's endpoint in A's subscription bodies
    const created = await http().post(`/api/v1/projects/${a.id}/subscriptions`).set(a.auth).send({ name: 'x', endpoint_id: eb }).expect(404);
    expect(created.body.code).toBe('endpoint_not_found');
    await http().put(`/api/v1/projects/${a.id}/subscriptions/${sa.uid}`).set(a.auth).send({ endpoint_id: eb }).expect(404);
    // lists never leak, even filtered by the other project's endpoint
    const list = await http().get(`/api/v1/projects/${a.id}/subscriptions`).set(a.auth).expect(200);
    expect(list.body.data.content.map((s: { uid: string }) => s.uid)).toEqual([sa.uid]);
    const filtered = await http().get(`/api/v1/projects/${a.id}/subscriptions?endpointId=${eb}`).set(a.auth).expect(200);
    expect(filtered.body.data.content).toHaveLength(0);
    const still = await http().get(`/api/v1/projects/${b.id}/subscriptions/${sb.uid}`).set(b.auth).expect(200);
    expect(still.body.data).toMatchObject({ name: 'orders-sub', endpoint_id: eb });
  });

  describe('the service API the event pipeline uses', () => {
    it('finds or creates the subscription of a dynamic endpoint, widening its event types', async () => {
      const p = await newProject();
      const e = await newEndpoint(p);
      const svc = h.app.get(SubscriptionsService);
      const [x, y] = await Promise.all([svc.findOrCreateForEndpoint(p.id, e, ['order.created']), svc.findOrCreateForEndpoint(p.id, e, ['order.created'])]);
      expect(x.id).toBe(y.id);
      const widened = await svc.findOrCreateForEndpoint(p.id, e, ['order.paid']);
      expect(widened.id).toBe(x.id);
      expect(widened.filterConfig.event_types).toEqual(['order.created', 'order.paid']);
      const all = await svc.findOrCreateForEndpoint(p.id, e, ['*']);
      expect(all.filterConfig.event_types).toEqual(['*']);
      expect((await svc.findOrCreateForEndpoint(p.id, e, ['anything'])).filterConfig.event_types).toEqual(['*']);
      await expect(svc.findOrCreateForEndpoint(p.id, 'NOPE', ['*'])).rejects.toMatchObject({ kind: 'not_found' });
    });

    it('serves routing from a short cache that local writes refresh', async () => {
      const p = await newProject({ multiple_endpoint_subscriptions: true });
      const e = await newEndpoint(p);
      const svc = h.app.get(SubscriptionsService);
      expect(await svc.forRouting(p.id)).toEqual([]);
      const s = await newSubscription(p, e);
      const rows = await svc.forRouting(p.id);
      expect(rows.map((r) => [r.id, r.endpointId])).toEqual([[s.uid, e]]);
      expect(await svc.forRouting(p.id)).toBe(rows);
    });
  });
});
