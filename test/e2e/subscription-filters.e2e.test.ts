import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestProject, PipelineHarness, Sinks, startPipelineHarness, TEST_ADMIN_KEY, TestProject, waitUntil } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/**
 * Convoy's subscription filters API through the real app, and proof through the real
 * pipeline (worker, PostgreSQL, Redis, loopback receivers) that the rows decide routing.
 */
describe('subscription filters (e2e)', () => {
  let h: PipelineHarness;
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());
  const project = (config: Record<string, unknown> = {}): Promise<TestProject> =>
    createTestProject(h.api.getHttpServer(), { multiple_endpoint_subscriptions: true, ...config }, 'filters');

  async function endpoint(p: TestProject, url = 'https://hooks.example.com/orders'): Promise<string> {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: `ep-${url}`, url })
      .expect(201);
    return res.body.data.uid as string;
  }

  async function subscription(p: TestProject, endpointId: string, filterConfig?: Record<string, unknown>): Promise<string> {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: `sub-${endpointId}`, endpoint_id: endpointId, ...(filterConfig ? { filter_config: filterConfig } : {}) })
      .expect(201);
    return res.body.data.uid as string;
  }

  const base = (p: TestProject, sub: string) => `/api/v1/projects/${p.id}/subscriptions/${sub}/filters`;

  async function filterRows(where: string, value: string): Promise<number> {
    const rows: { n: string }[] = await h.api.get(DataSource).query(`SELECT count(*) AS n FROM subscription_filters WHERE ${where} = $1`, [value]);
    return Number(rows[0].n);
  }

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'] });
  });
  afterAll(async () => {
    await sinks.stopAll();
    await h.close();
  });

  it("gives a subscription a filter per event type of its filter_config, in Convoy's shape", async () => {
    const p = await project();
    const sub = await subscription(p, await endpoint(p), {
      event_types: ['invoice.paid', 'invoice.failed'],
      filter: { body: { data: { amount: { $gte: 100 } } }, headers: { 'X-Tenant': 'acme' } },
    });
    const list = await http().get(base(p, sub)).set(p.auth).expect(200);
    expect(list.body.message).toBe('Filters retrieved successfully');
    const rows = list.body.data as Record<string, unknown>[];
    expect(rows.map((r) => r.event_type).sort()).toEqual(['invoice.failed', 'invoice.paid']);
    for (const r of rows) {
      expect(r).toMatchObject({
        subscription_id: sub,
        body: { 'data.amount': { $gte: 100 } },
        raw_body: { data: { amount: { $gte: 100 } } },
        headers: { 'x-tenant': 'acme' },
        query: {},
        path: {},
      });
      expect(typeof r.enabled_at).toBe('string');
    }
    const one = await http()
      .get(`${base(p, sub)}/${rows[0].uid as string}`)
      .set(p.auth)
      .expect(200);
    expect(one.body.data).toEqual(rows[0]);

    // an update that sends filter_config rewrites the rows: one per event type, each with the new filter
    await http()
      .put(`/api/v1/projects/${p.id}/subscriptions/${sub}`)
      .set(p.auth)
      .send({ filter_config: { event_types: ['invoice.paid', 'refund.created'], filter: { body: { kind: 'b2b' } } } })
      .expect(202);
    const after = (await http().get(base(p, sub)).set(p.auth).expect(200)).body.data as Record<string, unknown>[];
    expect(after.map((r) => [r.event_type, r.raw_body]).sort()).toEqual([
      ['invoice.paid', { kind: 'b2b' }],
      ['refund.created', { kind: 'b2b' }],
    ]);
    // the retained event type keeps its row
    expect(after.find((r) => r.event_type === 'invoice.paid')?.uid).toBe(rows.find((r) => r.event_type === 'invoice.paid')?.uid);
  });

  it('creates, updates, tests and deletes filters one at a time and in bulk', async () => {
    const p = await project();
    const sub = await subscription(p, await endpoint(p));
    const created = await http()
      .post(base(p, sub))
      .set(p.auth)
      .send({ event_type: 'invoice.paid', body: { amount: { $gte: 100 } }, query: { plan: 'pro' } })
      .expect(201);
    expect(created.body.data).toMatchObject({ event_type: 'invoice.paid', raw_body: { amount: { $gte: 100 } }, query: { plan: 'pro' } });
    const id = created.body.data.uid as string;

    const test = (eventType: string, body: Record<string, unknown>) =>
      http()
        .post(`${base(p, sub)}/test/${eventType}`)
        .set(p.auth)
        .send(body)
        .expect(200);
    expect((await test('invoice.paid', { request: { body: { amount: 150 }, query: { plan: 'pro' } } })).body.data).toEqual({ is_match: true });
    expect((await test('invoice.paid', { payload: { amount: 150 }, request: { query: { plan: 'pro' } } })).body.data).toEqual({ is_match: true });
    expect((await test('invoice.paid', { request: { body: { amount: 50 }, query: { plan: 'pro' } } })).body.data).toEqual({ is_match: false });
    expect((await test('invoice.paid', { request: { body: { amount: 150 } } })).body.data).toEqual({ is_match: false });
    // another type falls back to the subscription's * filter, which is empty
    expect((await test('other', { request: { body: { amount: 1 } } })).body.data).toEqual({ is_match: true });

    // as Convoy's Go client sends an update: unset fields as "" or null, which keep what is there
    const updated = await http()
      .put(`${base(p, sub)}/${id}`)
      .set(p.auth)
      .send({ event_type: '', enabled_at: null, headers: { 'X-Tier': 'vip' }, body: null, query: null, path: null, is_flattened: null })
      .expect(200);
    expect(updated.body.data).toMatchObject({
      event_type: 'invoice.paid',
      enabled_at: null,
      headers: { 'x-tier': 'vip' },
      raw_body: { amount: { $gte: 100 } },
      query: { plan: 'pro' },
    });
    // switched off, the * filter decides
    expect((await test('invoice.paid', { request: { body: { amount: 1 } } })).body.data).toEqual({ is_match: true });

    const bulk = await http()
      .post(`${base(p, sub)}/bulk`)
      .set(p.auth)
      .send([
        { event_type: 'refund.created', body: { currency: 'EUR' } },
        { event_type: 'refund.failed', enabled_at: '2026-01-01T00:00:00Z' },
      ])
      .expect(201);
    expect(bulk.body.data.map((f: { event_type: string }) => f.event_type)).toEqual(['refund.created', 'refund.failed']);
    expect(bulk.body.data[1].enabled_at).toBe('2026-01-01T00:00:00.000Z');

    const [r1, r2] = bulk.body.data as { uid: string }[];
    const bulkUpdated = await http()
      .put(`${base(p, sub)}/bulk_update`)
      .set(p.auth)
      .send([
        { uid: r1.uid, event_type: 'refund.failed', body: { currency: 'USD' } },
        { uid: r2.uid, event_type: 'refund.created' },
      ])
      .expect(200);
    expect(bulkUpdated.body.data.map((f: { event_type: string; raw_body: unknown }) => [f.event_type, f.raw_body])).toEqual([
      ['refund.failed', { currency: 'USD' }],
      ['refund.created', {}],
    ]);

    await http()
      .delete(`${base(p, sub)}/${id}`)
      .set(p.auth)
      .expect(200);
    await http()
      .get(`${base(p, sub)}/${id}`)
      .set(p.auth)
      .expect(404);
    await http()
      .delete(`${base(p, sub)}/${id}`)
      .set(p.auth)
      .expect(404);
    const left = (await http().get(base(p, sub)).set(p.auth).expect(200)).body.data as { event_type: string }[];
    expect(left.map((f) => f.event_type).sort()).toEqual(['*', 'refund.created', 'refund.failed']);
  });

  it('refuses bad input with 400, naming the field', async () => {
    const p = await project();
    const sub = await subscription(p, await endpoint(p), { event_types: ['invoice.paid'] });
    const post = (body: unknown) =>
      http()
        .post(base(p, sub))
        .set(p.auth)
        .send(body as object);

    const missing = await post({ body: {} }).expect(400);
    expect(missing.body.message).toContain('event_type is required');
    const badOp = await post({ event_type: 'a', body: { amount: { $nope: 1 } } }).expect(400);
    expect(badOp.body.code).toBe('invalid_filter');
    expect(badOp.body.message).toContain('body');
    const wildcard = await post({ event_type: 'a', headers: { 'x.$.y': 1 } }).expect(400);
    expect(wildcard.body.message).toContain('headers');
    const badDate = await post({ event_type: 'a', enabled_at: 'yesterday' }).expect(400);
    expect(badDate.body.data.errors.map((e: { field: string }) => e.field)).toEqual(['enabled_at']);
    const unknownField = await post({ event_type: 'a', color: 'red' }).expect(400);
    expect(unknownField.body.code).toBe('validation_failed');
    const taken = await post({ event_type: 'invoice.paid' }).expect(400);
    expect(taken.body.code).toBe('duplicate_event_type');

    const bulk = (body: unknown) =>
      http()
        .post(`${base(p, sub)}/bulk`)
        .set(p.auth)
        .send(body as object);
    const notArray = await bulk({ event_type: 'a' }).expect(400);
    expect(notArray.body.message).toContain('array');
    const badItem = await bulk([{ event_type: 'a' }, { body: {} }]).expect(400);
    expect(new Set(badItem.body.data.errors.map((e: { field: string }) => e.field))).toEqual(new Set(['[1].event_type']));
    expect(badItem.body.message).toContain('[1].event_type is required');
    const twice = await bulk([{ event_type: 'a' }, { event_type: 'a' }]).expect(400);
    expect(twice.body.code).toBe('duplicate_event_type');
    // nothing of a refused bulk request was stored
    expect(((await http().get(base(p, sub)).set(p.auth)).body.data as unknown[]).length).toBe(1);

    const unknownUid = await http()
      .put(`${base(p, sub)}/bulk_update`)
      .set(p.auth)
      .send([{ uid: 'nope', body: {} }])
      .expect(404);
    expect(unknownUid.body.message).toContain('nope');
    const noUid = await http()
      .put(`${base(p, sub)}/bulk_update`)
      .set(p.auth)
      .send([{ body: {} }])
      .expect(400);
    expect(noUid.body.message).toContain('uid is required');
    const [only] = (await http().get(base(p, sub)).set(p.auth)).body.data as { uid: string }[];
    const clash = await http().post(base(p, sub)).set(p.auth).send({ event_type: 'b' }).expect(201);
    const moved = await http()
      .put(`${base(p, sub)}/${clash.body.data.uid as string}`)
      .set(p.auth)
      .send({ event_type: 'invoice.paid' })
      .expect(400);
    expect(moved.body.code).toBe('duplicate_event_type');
    await http()
      .put(`${base(p, sub)}/${only.uid}`)
      .set(p.auth)
      .send({ body: 'x' })
      .expect(400);
  });

  it('holds a subscription to its filter limit', async () => {
    const p = await project();
    const sub = await subscription(p, await endpoint(p), { event_types: ['t0'] });
    const many = Array.from({ length: 199 }, (_, i) => ({ event_type: `t${i + 1}` }));
    await http()
      .post(`${base(p, sub)}/bulk`)
      .set(p.auth)
      .send(many)
      .expect(201);
    const over = await http().post(base(p, sub)).set(p.auth).send({ event_type: 'one-more' }).expect(400);
    expect(over.body.code).toBe('limit_reached');
  });

  it("answers 404 for another project's subscriptions and filters, on every route", async () => {
    const a = await project();
    const b = await project();
    const subA = await subscription(a, await endpoint(a));
    const subB = await subscription(b, await endpoint(b));
    const [filterA] = (await http().get(base(a, subA)).set(a.auth).expect(200)).body.data as { uid: string }[];
    const routes = (p: TestProject, sub: string, f: string) => [
      () => http().get(base(p, sub)),
      () => http().post(base(p, sub)).send({ event_type: 'x' }),
      () =>
        http()
          .post(`${base(p, sub)}/bulk`)
          .send([{ event_type: 'x' }]),
      () =>
        http()
          .put(`${base(p, sub)}/bulk_update`)
          .send([{ uid: f }]),
      () =>
        http()
          .post(`${base(p, sub)}/test/x`)
          .send({}),
      () => http().get(`${base(p, sub)}/${f}`),
      () =>
        http()
          .put(`${base(p, sub)}/${f}`)
          .send({}),
      () => http().delete(`${base(p, sub)}/${f}`),
    ];
    // b's key on a's subscription
    for (const call of routes(a, subA, filterA.uid)) await call().set(b.auth).expect(404);
    // a's filter through b's own subscription
    for (const call of routes(b, subB, filterA.uid).slice(5)) await call().set(b.auth).expect(404);
    expect(((await http().get(base(a, subA)).set(a.auth).expect(200)).body.data as unknown[]).length).toBe(1);
  });

  it('removes the filter rows with their subscription, endpoint and project', async () => {
    const p = await project();
    const ep = await endpoint(p);
    const s1 = await subscription(p, ep, { event_types: ['a', 'b'] });
    const s2 = await subscription(p, ep, { event_types: ['c'] });
    const other = await subscription(p, await endpoint(p, 'https://hooks.example.com/other'));
    expect(await filterRows('subscription_id', s1)).toBe(2);
    await http().delete(`/api/v1/projects/${p.id}/subscriptions/${s1}`).set(p.auth).expect(200);
    expect(await filterRows('subscription_id', s1)).toBe(0);
    await http().get(base(p, s1)).set(p.auth).expect(404);
    await http().delete(`/api/v1/projects/${p.id}/endpoints/${ep}`).set(p.auth).expect(200);
    expect(await filterRows('subscription_id', s2)).toBe(0);
    expect(await filterRows('subscription_id', other)).toBe(1);
    await http()
      .delete(`/api/v1/projects/${p.id}`)
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .expect(200);
    expect(await filterRows('project_id', p.id)).toBe(0);
  });

  it('routes by the filter rows: a filter created through the API changes which endpoint receives an event', async () => {
    const p = await project();
    const [sinkA, sinkB] = [await sinks.start(), await sinks.start()];
    const epA = await endpoint(p, sinkA.url);
    const epB = await endpoint(p, sinkB.url);
    const subA = await subscription(p, epA);
    const subB = await subscription(p, epB);
    const broadcast = async (eventType: string, data: Record<string, unknown>): Promise<string[]> => {
      const res = await http().post(`/api/v1/projects/${p.id}/events/broadcast`).set(p.auth).send({ event_type: eventType, data }).expect(201);
      const ds = await http()
        .get(`/api/v1/projects/${p.id}/eventdeliveries?eventId=${res.body.data.uid as string}`)
        .set(p.auth)
        .expect(200);
      return (ds.body.data.content as { endpoint_id: string }[]).map((d) => (d.endpoint_id === epA ? 'A' : 'B')).sort();
    };

    expect(await broadcast('invoice.paid', { amount: 5, n: 1 })).toEqual(['A', 'B']);
    // A now takes invoice.paid only from 100 up; its * filter still takes every other type
    await http()
      .post(base(p, subA))
      .set(p.auth)
      .send({ event_type: 'invoice.paid', body: { amount: { $gte: 100 } } })
      .expect(201);
    expect(await broadcast('invoice.paid', { amount: 5, n: 2 })).toEqual(['B']);
    expect(await broadcast('invoice.paid', { amount: 500, n: 3 })).toEqual(['A', 'B']);
    expect(await broadcast('refund.created', { amount: 5, n: 4 })).toEqual(['A', 'B']);
    // B's * filter switched off: B takes nothing
    const [starB] = (await http().get(base(p, subB)).set(p.auth).expect(200)).body.data as { uid: string }[];
    await http()
      .put(`${base(p, subB)}/${starB.uid}`)
      .set(p.auth)
      .send({ enabled_at: null })
      .expect(200);
    expect(await broadcast('invoice.paid', { amount: 500, n: 5 })).toEqual(['A']);

    // the receivers got exactly what the rows let through
    const numbers = (s: typeof sinkA) => s.receipts.map((r) => (JSON.parse(r.body) as { n: number }).n).sort();
    await waitUntil('A to receive its events', () => Promise.resolve(numbers(sinkA).length >= 4));
    await waitUntil('B to receive its events', () => Promise.resolve(numbers(sinkB).length >= 4));
    expect(numbers(sinkA)).toEqual([1, 3, 4, 5]);
    expect(numbers(sinkB)).toEqual([1, 2, 3, 4]);
  });
});
