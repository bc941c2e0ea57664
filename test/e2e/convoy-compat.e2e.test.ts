import request from 'supertest';
import { createTestProject, PipelineHarness, Sinks, startPipelineHarness, TEST_ADMIN_KEY } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/** What Convoy's own SDKs rely on, beyond the shapes the other suites check. */
describe('Convoy compatibility (e2e)', () => {
  let h: PipelineHarness;
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'] });
  });
  afterAll(async () => {
    await sinks.stopAll();
    await h?.close();
  });

  it('delivers an event sent to an endpoint without a subscription, through a catch-all one', async () => {
    const sink = await sinks.start();
    const p = await createTestProject(h.api.getHttpServer());
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'orders', url: `${sink.url}/hook` })
      .expect(201);
    const id = ep.body.data.uid as string;
    const ev = await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: id, event_type: 'order.created', data: { n: 1 } })
      .expect(201);
    expect(ev.body.data.status).toBe('Processing');
    await sink.waitFor((r) => r.length === 1);
    const subs = await http().get(`/api/v1/projects/${p.id}/subscriptions?endpointId=${id}`).set(p.auth).expect(200);
    expect(subs.body.data.content).toHaveLength(1);
    expect(subs.body.data.content[0]).toMatchObject({ name: 'orders-subscription', filter_config: { event_types: ['*'] } });
    // a second event reuses it
    await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: id, event_type: 'order.paid', data: { n: 2 } })
      .expect(201);
    await sink.waitFor((r) => r.length === 2);
    const again = await http().get(`/api/v1/projects/${p.id}/subscriptions?endpointId=${id}`).set(p.auth).expect(200);
    expect(again.body.data.content).toHaveLength(1);
  });

  it('shows event and delivery headers as Convoy does: a list of values per name', async () => {
    const sink = await sinks.start();
    const p = await createTestProject(h.api.getHttpServer());
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'h', url: `${sink.url}/hook` })
      .expect(201);
    const ev = await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: ep.body.data.uid, event_type: 'x', data: {}, custom_headers: { 'X-Tenant': 'acme' } })
      .expect(201);
    expect(ev.body.data.headers).toEqual({ 'x-tenant': ['acme'] });
    const [r] = await sink.waitFor((x) => x.length === 1);
    expect(r.headers['x-tenant']).toBe('acme');
    const read = await http().get(`/api/v1/projects/${p.id}/events/${ev.body.data.uid}`).set(p.auth).expect(200);
    expect(read.body.data.headers).toEqual({ 'x-tenant': ['acme'] });
    const deliveries = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?eventId=${ev.body.data.uid}`).set(p.auth).expect(200);
    expect(deliveries.body.data.content[0].headers).toEqual({ 'x-tenant': ['acme'] });
  });

  it('accepts the orgID the SDK sends when listing projects', async () => {
    const res = await http()
      .get('/api/v1/projects?orgID=01HX0000000000000000000000')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .expect(200);
    expect(Array.isArray(res.body.data)).toBe(true);
  });

  it('answers refused input with 400, the status Convoy uses, and a code', async () => {
    const p = await createTestProject(h.api.getHttpServer());
    const res = await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'x', url: 'http://localhost.localdomain.invalid:0/' });
    expect(res.status).toBe(400);
    expect(typeof res.body.code).toBe('string');
  });

  it("answers deliveries and events with Convoy's metadata, never an endpoint's secrets", async () => {
    const sink = await sinks.start();
    const p = await createTestProject(h.api.getHttpServer());
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'meta', url: `${sink.url}/hook` })
      .expect(201);
    const id = ep.body.data.uid as string;
    const secret = (ep.body.data.secrets as { value: string }[])[0].value;
    const ev = await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: id, event_type: 'x', data: { a: 1 }, idempotency_key: 'meta-1' })
      .expect(201);
    await sink.waitFor((r) => r.length === 1);
    const list = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?eventId=${ev.body.data.uid}`).set(p.auth).expect(200);
    const d = list.body.data.content[0];
    expect(d).toMatchObject({ target_url: `${sink.url}/hook`, idempotency_key: 'meta-1', url_query_params: '' });
    expect(d.endpoint_metadata).toMatchObject({ uid: id, name: 'meta', url: `${sink.url}/hook` });
    expect(d.event_metadata).toMatchObject({ uid: ev.body.data.uid, event_type: 'x', idempotency_key: 'meta-1' });
    expect(JSON.stringify(d)).not.toContain(secret);
    const one = await http().get(`/api/v1/projects/${p.id}/eventdeliveries/${d.uid}`).set(p.auth).expect(200);
    expect(one.body.data.latency).toMatch(/^\d+ms$/);
    const read = await http().get(`/api/v1/projects/${p.id}/events/${ev.body.data.uid}`).set(p.auth).expect(200);
    expect(read.body.data).toMatchObject({ url_path: '', source_metadata: null });
    expect(read.body.data.endpoint_metadata).toEqual([expect.objectContaining({ uid: id })]);
    expect(JSON.stringify(read.body.data)).not.toContain(secret);
  });

  it('records the endpoints a broadcast matched, so filters by endpoint find it', async () => {
    const sink = await sinks.start();
    const p = await createTestProject(h.api.getHttpServer());
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'b', url: `${sink.url}/hook` })
      .expect(201);
    const id = ep.body.data.uid as string;
    await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 'all', endpoint_id: id, filter_config: { event_types: ['*'] } })
      .expect(201);
    const ev = await http().post(`/api/v1/projects/${p.id}/events/broadcast`).set(p.auth).send({ event_type: 'news', data: {} }).expect(201);
    expect(ev.body.data.endpoints).toEqual([id]);
    const found = await http().get(`/api/v1/projects/${p.id}/events?endpointId=${id}`).set(p.auth).expect(200);
    expect(found.body.data.content.map((e: { uid: string }) => e.uid)).toContain(ev.body.data.uid);
  });

  it('says which required field is missing, and only that', async () => {
    const p = await createTestProject(h.api.getHttpServer());
    const res = await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'no-url' }).expect(400);
    expect(res.body).toMatchObject({ status: false, message: 'url is required', code: 'validation_failed' });
  });

  it("takes list filters in either spelling, Convoy's mixed one or a consistent one", async () => {
    const sink = await sinks.start();
    const p = await createTestProject(h.api.getHttpServer());
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'spell', url: `${sink.url}/hook` })
      .expect(201);
    const id = ep.body.data.uid as string;
    await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: id, event_type: 'a.b', data: {} }).expect(201);
    await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: id, event_type: 'c.d', data: {} }).expect(201);
    const convoy = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?endpointId=${id}&event_type=a.b&perPage=5`).set(p.auth).expect(200);
    const snake = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?endpoint_id=${id}&event_type=a.b&per_page=5`).set(p.auth).expect(200);
    const camel = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?endpointId=${id}&eventType=a.b&perPage=5`).set(p.auth).expect(200);
    const uids = (r: request.Response) => (r.body.data.content as { uid: string }[]).map((d) => d.uid);
    expect(uids(convoy)).toHaveLength(1);
    expect(uids(snake)).toEqual(uids(convoy));
    expect(uids(camel)).toEqual(uids(convoy));
    const both = await http().get(`/api/v1/projects/${p.id}/events?endpointId=${id}&endpoint_id=${id}`).set(p.auth).expect(400);
    expect(both.body.message).toContain('endpointId and endpoint_id');
  });

  it.each([['{}'], ['null'], ['{"request":{"body":{}}}']])('answers test_filter without a schema (%s) with 400 naming the field', async (body) => {
    const p = await createTestProject(h.api.getHttpServer());
    const res = await http().post(`/api/v1/projects/${p.id}/subscriptions/test_filter`).set(p.auth).set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/schema|request|body/);
  });

  it("answers each endpoint's failure rate over a period", async () => {
    const ok = await sinks.start();
    const bad = await sinks.start(() => ({ status: 500 }));
    const p = await createTestProject(h.api.getHttpServer(), { strategy: { type: 'linear', duration: 1, retry_count: 2 } });
    const mk = async (name: string, url: string) =>
      (await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name, url }).expect(201)).body.data.uid as string;
    const good = await mk('good', `${ok.url}/h`);
    const failing = await mk('failing', `${bad.url}/h`);
    for (const endpoint_id of [good, good, failing]) {
      await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id, event_type: 'x', data: {} }).expect(201);
    }
    const rates = async () => (await http().get(`/api/v1/projects/${p.id}/endpoints/period-failure-rates`).set(p.auth).expect(200)).body.data as Rate[];
    type Rate = { uid: string; success_count: number; failure_count: number; retry_count: number; period_failure_rate: number };
    const deadline = Date.now() + 20_000;
    let got: Rate[] = [];
    while (Date.now() < deadline) {
      got = await rates();
      if (got.find((r) => r.uid === failing)?.failure_count === 1 && got.find((r) => r.uid === good)?.success_count === 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(got.find((r) => r.uid === good)).toMatchObject({ success_count: 2, failure_count: 0, period_failure_rate: 0 });
    expect(got.find((r) => r.uid === failing)).toMatchObject({ success_count: 0, failure_count: 1, retry_count: 1, period_failure_rate: 1 });
    const only = await http().get(`/api/v1/projects/${p.id}/endpoints/period-failure-rates?endpointId=${good}`).set(p.auth).expect(200);
    expect(only.body.data.map((r: Rate) => r.uid)).toEqual([good]);
    const past = await http()
      .get(`/api/v1/projects/${p.id}/endpoints/period-failure-rates?startDate=2020-01-01T00:00:00Z&endDate=2020-01-02T00:00:00Z`)
      .set(p.auth)
      .expect(200);
    expect(past.body.data).toEqual([]);
  });

  it('onboards endpoints in bulk, with a dry run that creates nothing', async () => {
    const sink = await sinks.start();
    const p = await createTestProject(h.api.getHttpServer());
    const items = [
      { name: 'acme', url: `${sink.url}/acme`, event_type: 'invoice.paid' },
      { name: 'globex', url: `${sink.url}/globex`, event_type: '*', auth_username: 'u', auth_password: 'p' },
    ];
    const bad = [...items, { name: '', url: 'ftp://x', event_type: 'a b' }];
    const dry = await http().post(`/api/v1/projects/${p.id}/onboard?dry_run=true`).set(p.auth).send({ items: bad }).expect(200);
    expect(dry.body.data).toMatchObject({ total_rows: 3, valid_count: 2 });
    expect(dry.body.data.errors.map((e: { row: number; field: string }) => `${e.row}:${e.field}`)).toEqual(['2:name', '2:url', '2:event_type']);
    const refused = await http().post(`/api/v1/projects/${p.id}/onboard`).set(p.auth).send({ items: bad }).expect(400);
    expect(refused.body.code).toBe('invalid_onboard_items');
    expect((await http().get(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).expect(200)).body.data.content).toHaveLength(0);

    const done = await http().post(`/api/v1/projects/${p.id}/onboard`).set(p.auth).send({ items }).expect(202);
    expect(done.body.data).toMatchObject({ total_items: 2 });
    const eps = (await http().get(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).expect(200)).body.data.content as { uid: string; name: string }[];
    expect(eps.map((e) => e.name).sort()).toEqual(['acme', 'globex']);
    const globex = eps.find((e) => e.name === 'globex')!;
    await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: globex.uid, event_type: 'any', data: {} }).expect(201);
    const [r] = await sink.waitFor((x) => x.length === 1);
    expect(r.path).toBe('/globex');
    expect(r.headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it("imports event types from an OpenAPI document's webhooks, updating those that exist", async () => {
    const p = await createTestProject(h.api.getHttpServer());
    await http().post(`/api/v1/projects/${p.id}/event-types`).set(p.auth).send({ name: 'invoice.paid', description: 'old' }).expect(201);
    const spec = [
      'openapi: 3.1.0',
      'info: { title: Shop, version: "1" }',
      'webhooks:',
      '  invoice.paid:',
      '    post:',
      '      summary: An invoice was paid',
      '      requestBody: { content: { application/json: { schema: { $ref: "#/components/schemas/Invoice" } } } }',
      '  order.created:',
      '    post: { summary: A new order }',
      'components: { schemas: { Invoice: { type: object, properties: { id: { type: string } } } } }',
    ].join('\n');
    const res = await http().post(`/api/v1/projects/${p.id}/event-types/import`).set(p.auth).send({ spec }).expect(200);
    expect(res.body.data.map((t: { name: string }) => t.name)).toEqual(['invoice.paid', 'order.created']);
    const list = (await http().get(`/api/v1/projects/${p.id}/event-types`).set(p.auth).expect(200)).body.data as {
      name: string;
      description: string;
      json_schema: unknown;
    }[];
    expect(list).toHaveLength(2);
    expect(list.find((t) => t.name === 'invoice.paid')).toMatchObject({
      description: 'An invoice was paid',
      json_schema: { type: 'object', properties: { id: { type: 'string' } } },
    });
    const bad = await http().post(`/api/v1/projects/${p.id}/event-types/import`).set(p.auth).send({ spec: 'swagger: "2.0"' }).expect(400);
    expect(bad.body.code).toBe('invalid_openapi_spec');
  });
});
