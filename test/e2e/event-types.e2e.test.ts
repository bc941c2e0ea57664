import request from 'supertest';
import { ApiHarness, startApiHarness, TEST_ADMIN_KEY } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';

describe('event types (e2e)', () => {
  let h: ApiHarness;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const http = () => request(h.app.getHttpServer());

  async function newProject() {
    const res = await http().post('/api/v1/projects').set(admin).send({ name: 'shop', type: 'outgoing' }).expect(201);
    return { id: res.body.data.project.uid as string, auth: { Authorization: `Bearer ${res.body.data.api_key.key}` } };
  }

  beforeAll(async () => {
    h = await startApiHarness(createApiApp);
  });
  afterAll(async () => {
    await h.close();
  });

  it('creates, lists, gets, updates and deprecates event types', async () => {
    const p = await newProject();
    const base = `/api/v1/projects/${p.id}/event-types`;
    const created = await http()
      .post(base)
      .set(p.auth)
      .send({
        name: 'invoice.paid',
        category: 'billing',
        description: 'an invoice was paid',
        json_schema: { type: 'object', properties: { id: { type: 'string' } } },
      })
      .expect(201);
    const et = created.body.data;
    expect(et).toMatchObject({ name: 'invoice.paid', category: 'billing', description: 'an invoice was paid', deprecated_at: null, project_id: p.id });
    expect(et.json_schema).toEqual({ type: 'object', properties: { id: { type: 'string' } } });
    await http().post(base).set(p.auth).send({ name: 'invoice.created' }).expect(201);

    const list = await http().get(base).set(p.auth).expect(200);
    expect(list.body.data.map((e: { name: string }) => e.name)).toEqual(['invoice.paid', 'invoice.created']);

    expect((await http().get(`${base}/${et.uid}`).set(p.auth).expect(200)).body.data.name).toBe('invoice.paid');

    const updated = await http().put(`${base}/${et.uid}`).set(p.auth).send({ description: 'paid in full' }).expect(202);
    expect(updated.body.data).toMatchObject({ name: 'invoice.paid', category: 'billing', description: 'paid in full' });
    expect(updated.body.data.json_schema).toEqual(et.json_schema);
    await http().put(`${base}/${et.uid}`).set(p.auth).send({ name: 'renamed' }).expect(400);

    const dep = await http().post(`${base}/${et.uid}/deprecate`).set(p.auth).expect(200);
    expect(Date.parse(dep.body.data.deprecated_at)).toBeGreaterThan(Date.now() - 60_000);
    const again = await http().post(`${base}/${et.uid}/deprecate`).set(p.auth).expect(200);
    expect(again.body.data.deprecated_at).toBe(dep.body.data.deprecated_at);
  });

  it('keeps names unique per project (409) but not across projects', async () => {
    const a = await newProject();
    const b = await newProject();
    await http().post(`/api/v1/projects/${a.id}/event-types`).set(a.auth).send({ name: 'order.shipped' }).expect(201);
    const dup = await http().post(`/api/v1/projects/${a.id}/event-types`).set(a.auth).send({ name: 'order.shipped' }).expect(409);
    expect(dup.body.code).toBe('event_type_exists');
    await http().post(`/api/v1/projects/${b.id}/event-types`).set(b.auth).send({ name: 'order.shipped' }).expect(201);
  });

  it('refuses names that are empty, contain spaces or are the wildcard', async () => {
    const p = await newProject();
    for (const name of ['', 'has space', '*']) {
      const res = await http().post(`/api/v1/projects/${p.id}/event-types`).set(p.auth).send({ name }).expect(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });

  it("answers 404 for another project's event types on every route, both ways", async () => {
    const a = await newProject();
    const b = await newProject();
    const etB = (await http().post(`/api/v1/projects/${b.id}/event-types`).set(b.auth).send({ name: 'b.only' }).expect(201)).body.data;
    await http().post(`/api/v1/projects/${a.id}/event-types`).set(a.auth).send({ name: 'a.only' }).expect(201);
    const routes = (pid: string, id: string) => [
      () => http().get(`/api/v1/projects/${pid}/event-types/${id}`),
      () => http().put(`/api/v1/projects/${pid}/event-types/${id}`).send({ description: 'x' }),
      () => http().post(`/api/v1/projects/${pid}/event-types/${id}/deprecate`),
    ];
    for (const call of routes(b.id, etB.uid)) await call().set(a.auth).expect(404);
    await http().get(`/api/v1/projects/${b.id}/event-types`).set(a.auth).expect(404);
    await http().post(`/api/v1/projects/${b.id}/event-types`).set(a.auth).send({ name: 'x' }).expect(404);
    for (const call of routes(a.id, etB.uid)) await call().set(a.auth).expect(404);
    for (const call of routes(a.id, etB.uid)) await call().set(admin).expect(404);
    const list = await http().get(`/api/v1/projects/${a.id}/event-types`).set(a.auth).expect(200);
    expect(list.body.data.map((e: { name: string }) => e.name)).toEqual(['a.only']);
    const still = await http().get(`/api/v1/projects/${b.id}/event-types/${etB.uid}`).set(b.auth).expect(200);
    expect(still.body.data).toMatchObject({ description: '', deprecated_at: null });
  });
});
