import request from 'supertest';
import { DataSource } from 'typeorm';
import { ulid } from 'ulid';
import { ApiHarness, createTestProject, startApiHarness, TEST_ADMIN_KEY, TestProject } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';

interface Listed {
  uid: string;
  event_type: string;
  idempotency_key: string;
  data: Record<string, unknown>;
}

/** Convoy's event search: `query` (id prefix, idempotency key, type, or a JSON object) and `body`, with the other filters and cursors. */
describe('event search (e2e)', () => {
  let h: ApiHarness;
  let p: TestProject;
  let endpointId: string;
  const ids: Record<string, string> = {};
  const http = () => request(h.app.getHttpServer());

  /** `data` is JSON text, sent as written (big numbers included). */
  async function send(name: string, eventType: string, data: string, key?: string): Promise<void> {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .set('Content-Type', 'application/json')
      .send(`{"endpoint_id":"${endpointId}","event_type":"${eventType}","data":${data}${key ? `,"idempotency_key":"${key}"` : ''}}`)
      .expect(201);
    ids[name] = res.body.data.uid as string;
  }

  async function search(
    params: Record<string, string>,
    project: TestProject = p,
  ): Promise<{ content: Listed[]; pagination: { next_page_cursor: string; has_next_page: boolean } }> {
    const res = await http().get(`/api/v1/projects/${project.id}/events`).query(params).set(project.auth).expect(200);
    return res.body.data;
  }

  const names = (rows: Listed[]): string[] => rows.map((r) => Object.entries(ids).find(([, id]) => id === r.uid)?.[0] ?? r.uid).sort();

  beforeAll(async () => {
    h = await startApiHarness(createApiApp, { searchTimeoutMs: 1000, egressAllow: ['127.0.0.0/8'] });
    p = await createTestProject(h.app.getHttpServer());
    const ep = await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'e', url: 'http://127.0.0.1:9/hook' }).expect(201);
    endpointId = ep.body.data.uid as string;
    await send('paid1', 'invoice.paid', '{"customer":{"id":"c_1","tier":"gold"},"amount":10}', 'key-paid1');
    await send('paid2', 'invoice.paid', '{"customer":{"id":"c_2"},"amount":20}');
    await send('paid3', 'invoice.paid', '{"customer":{"id":"c_1"},"amount":30,"tags":["vip","eu"]}');
    await send('failed', 'invoice.failed', '{"customer":{"id":"c_1"},"amount":40}');
    await send('big', 'order.created', '{"n":12345678901234567890,"customer":{"id":"c_3"}}');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('finds an event by its id, a prefix of it, in any case', async () => {
    expect(names((await search({ query: ids.paid2 })).content)).toEqual(['paid2']);
    expect(names((await search({ query: ids.paid2.toLowerCase() })).content)).toEqual(['paid2']);
    const prefix = ids.paid1.slice(0, 8);
    const expected = Object.entries(ids)
      .filter(([, id]) => id.startsWith(prefix))
      .map(([n]) => n)
      .sort();
    expect(names((await search({ query: prefix })).content)).toEqual(expected);
  });

  it('finds an event by its idempotency key and events by their type', async () => {
    expect(names((await search({ query: 'key-paid1' })).content)).toEqual(['paid1']);
    expect(names((await search({ query: 'invoice.paid' })).content)).toEqual(['paid1', 'paid2', 'paid3']);
    expect((await search({ query: 'no.such.thing' })).content).toEqual([]);
  });

  it("finds an incoming project's events by their source's name", async () => {
    const res = await http()
      .post('/api/v1/projects')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({ name: 'inbound', type: 'incoming' })
      .expect(201);
    const inbound: TestProject = { id: res.body.data.project.uid, auth: { Authorization: `Bearer ${res.body.data.api_key.key}` } };
    const source = async (name: string): Promise<string> =>
      (await http().post(`/api/v1/projects/${inbound.id}/sources`).set(inbound.auth).send({ name, type: 'http' }).expect(201)).body.data.mask_id;
    const shop = await source('shop-hooks');
    const crm = await source('crm-hooks');
    await http().post(`/ingest/${shop}`).send({ kind: 'order' }).expect(200);
    await http().post(`/ingest/${shop}`).send({ kind: 'refund' }).expect(200);
    await http().post(`/ingest/${crm}`).send({ kind: 'lead' }).expect(200);
    const found = await search({ query: 'shop-hooks' }, inbound);
    expect(found.content.map((e) => e.data.kind).sort()).toEqual(['order', 'refund']);
    expect((await search({ query: 'crm-hooks', body: '{"kind":"lead"}' }, inbound)).content).toHaveLength(1);
    expect((await search({ query: 'shop-hooks' })).content).toEqual([]);
  });

  it('matches a JSON object in query or body by containment on the payload', async () => {
    expect(names((await search({ query: '{"customer":{"id":"c_1"}}' })).content)).toEqual(['failed', 'paid1', 'paid3']);
    expect(names((await search({ body: JSON.stringify({ customer: { id: 'c_1' } }) })).content)).toEqual(['failed', 'paid1', 'paid3']);
    expect(names((await search({ body: '{"tags":["vip"]}' })).content)).toEqual(['paid3']);
    expect(names((await search({ body: '{"customer":{"tier":"gold"}}' })).content)).toEqual(['paid1']);
    expect(names((await search({ body: '{"n":12345678901234567890}' })).content)).toEqual(['big']);
    // every digit counts: the double nearest to it is another number
    expect((await search({ body: '{"n":12345678901234567000}' })).content).toEqual([]);
    expect((await search({ body: '{"customer":{"id":"c_9"}}' })).content).toEqual([]);
  });

  it('answers the payload as it was sent, byte for byte, when found by containment', async () => {
    const res = await http().get(`/api/v1/projects/${p.id}/events`).query({ body: '{"n":12345678901234567890}' }).set(p.auth).expect(200);
    expect(res.body.data.content[0].raw).toBe('{"n":12345678901234567890,"customer":{"id":"c_3"}}');
  });

  it('combines query, body and the other filters (all must match)', async () => {
    expect(names((await search({ query: 'invoice.paid', body: '{"customer":{"id":"c_1"}}' })).content)).toEqual(['paid1', 'paid3']);
    expect(names((await search({ event_type: 'invoice.failed', body: '{"customer":{"id":"c_1"}}' })).content)).toEqual(['failed']);
    expect(names((await search({ endpointId, query: 'key-paid1' })).content)).toEqual(['paid1']);
    expect((await search({ endpointId: 'nope', query: 'invoice.paid' })).content).toEqual([]);
    expect((await search({ startDate: new Date(Date.now() + 3_600_000).toISOString(), query: 'invoice.paid' })).content).toEqual([]);
  });

  it('pages a search with cursors, newest first', async () => {
    const first = await search({ body: '{"customer":{"id":"c_1"}}', perPage: '2' });
    expect(first.content.map((r) => r.uid)).toEqual([ids.failed, ids.paid3]);
    expect(first.pagination.has_next_page).toBe(true);
    const second = await search({ body: '{"customer":{"id":"c_1"}}', perPage: '2', next_page_cursor: first.pagination.next_page_cursor });
    expect(second.content.map((r) => r.uid)).toEqual([ids.paid1]);
    expect(second.pagination.has_next_page).toBe(false);
  });

  it('pages a text search with cursors both ways', async () => {
    const first = await search({ query: 'invoice.paid', perPage: '2' });
    expect(first.content.map((r) => r.uid)).toEqual([ids.paid3, ids.paid2]);
    const second = await search({ query: 'invoice.paid', perPage: '2', next_page_cursor: first.pagination.next_page_cursor });
    expect(second.content.map((r) => r.uid)).toEqual([ids.paid1]);
    const res = await http()
      .get(`/api/v1/projects/${p.id}/events`)
      .query({ query: 'invoice.paid', perPage: '2', direction: 'prev', prev_page_cursor: ids.paid1 })
      .set(p.auth)
      .expect(200);
    expect(res.body.data.content.map((r: Listed) => r.uid)).toEqual([ids.paid3, ids.paid2]);
  });

  it('counts and replays with the same search', async () => {
    const count = await http()
      .get(`/api/v1/projects/${p.id}/events/countbatchreplayevents`)
      .query({ body: '{"customer":{"id":"c_1"}}' })
      .set(p.auth)
      .expect(200);
    expect(count.body.data).toEqual({ num: 3 });
    const byType = await http().get(`/api/v1/projects/${p.id}/events/countbatchreplayevents`).query({ query: 'invoice.paid' }).set(p.auth).expect(200);
    expect(byType.body.data).toEqual({ num: 3 });
    const replay = await http().post(`/api/v1/projects/${p.id}/events/batchreplay`).query({ query: 'key-paid1' }).set(p.auth).expect(200);
    expect(replay.body.data).toBe('1 successful, 0 failed');
  });

  it('refuses a body or JSON query that is not a JSON object, naming the field', async () => {
    for (const [field, value] of [
      ['body', '[1,2]'],
      ['body', '{broken'],
      ['body', '"text"'],
      ['query', '{"unterminated":'],
    ]) {
      const res = await http()
        .get(`/api/v1/projects/${p.id}/events`)
        .query({ [field]: value })
        .set(p.auth)
        .expect(400);
      expect(res.body).toMatchObject({ status: false, code: 'invalid_search', message: `${field} must be a JSON object` });
    }
  });

  it("keeps a search within the project's search_policy, while a plain list sees every event", async () => {
    const ds = h.app.get(DataSource);
    const insertOld = async (projectId: string): Promise<string> => {
      const id = ulid(Date.now() - 2 * 3_600_000);
      await ds.query(
        `INSERT INTO events (id, project_id, event_type, target, raw, routed_at) VALUES ($1, $2, 'old.one', '{"kind":"endpoint"}', '{"k":"v"}', now())`,
        [id, projectId],
      );
      return id;
    };
    const narrow = await createTestProject(h.app.getHttpServer(), { search_policy: '1h' });
    const old = await insertOld(narrow.id);
    expect((await search({}, narrow)).content.map((r) => r.uid)).toEqual([old]);
    expect((await search({ body: '{"k":"v"}' }, narrow)).content).toEqual([]);
    expect((await search({ query: old }, narrow)).content).toEqual([]);
    // in the default window (720h) the same event is found
    const wide = await createTestProject(h.app.getHttpServer());
    const seen = await insertOld(wide.id);
    expect((await search({ body: '{"k":"v"}' }, wide)).content.map((r) => r.uid)).toEqual([seen]);
    expect((await search({ query: seen }, wide)).content.map((r) => r.uid)).toEqual([seen]);
  });

  it('answers 504 search_timeout when a search runs past SEARCH_TIMEOUT_MS', async () => {
    const ds = h.app.get(DataSource);
    const blocker = ds.createQueryRunner();
    await blocker.connect();
    try {
      // the search waits for this lock past its statement timeout
      await blocker.startTransaction();
      await blocker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const res = await http().get(`/api/v1/projects/${p.id}/events`).query({ body: '{"customer":{"id":"c_1"}}' }).set(p.auth).expect(504);
      expect(res.body).toMatchObject({ status: false, code: 'search_timeout' });
      expect(res.body.message).toContain('1000 ms');
    } finally {
      await blocker.rollbackTransaction();
      await blocker.release();
    }
    expect((await search({ body: '{"customer":{"id":"c_1"}}' })).content).toHaveLength(3);
  });
});
