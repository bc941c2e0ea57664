import request from 'supertest';
import { startApiHarness, ApiHarness, TEST_ADMIN_KEY, waitUntil } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';

describe('projects and API keys (e2e)', () => {
  let h: ApiHarness;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const http = () => request(h.app.getHttpServer());

  beforeAll(async () => {
    h = await startApiHarness(createApiApp);
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses requests without a key, and with a wrong key', async () => {
    await http().get('/api/v1/projects').expect(401);
    const res = await http().get('/api/v1/projects').set('Authorization', 'Bearer CO.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBB').expect(401);
    expect(res.body).toMatchObject({ status: false, code: 'unauthorized' });
  });

  it('creates a project with Convoy defaults and returns its key once', async () => {
    const res = await http().post('/api/v1/projects').set(admin).send({ name: 'shop', type: 'outgoing' }).expect(201);
    expect(res.body.status).toBe(true);
    expect(res.body.data.api_key.key).toMatch(/^CO\.[A-Za-z0-9]+\.[A-Za-z0-9]+$/);
    const p = res.body.data.project;
    expect(p.config.strategy).toEqual({ type: 'linear', duration: 100, retry_count: 10 });
    expect(p.config.signature.header).toBe('X-Convoy-Signature');
    expect(p.config.signature.versions[0]).toMatchObject({ hash: 'SHA256', encoding: 'hex' });

    const key = res.body.data.api_key.key as string;
    const own = await http().get(`/api/v1/projects/${p.uid}`).set('Authorization', `Bearer ${key}`).expect(200);
    expect(own.body.data.uid).toBe(p.uid);
    expect(JSON.stringify(own.body)).not.toContain(key.split('.')[2]);
  });

  it('names every bad field in a 400', async () => {
    const res = await http()
      .post('/api/v1/projects')
      .set(admin)
      .send({ name: '', type: 'sideways', config: { strategy: { type: 'random', retry_count: -1 } }, extra: 1 })
      .expect(400);
    expect(res.body.code).toBe('validation_failed');
    const fields = (res.body.data.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'type', 'config.strategy.type', 'config.strategy.retry_count', 'extra']));
  });

  it('keeps project keys inside their project', async () => {
    const a = (await http().post('/api/v1/projects').set(admin).send({ name: 'a', type: 'outgoing' }).expect(201)).body.data;
    const b = (await http().post('/api/v1/projects').set(admin).send({ name: 'b', type: 'outgoing' }).expect(201)).body.data;
    const keyA = { Authorization: `Bearer ${a.api_key.key}` };
    await http().get(`/api/v1/projects/${b.project.uid}`).set(keyA).expect(404);
    await http().put(`/api/v1/projects/${b.project.uid}`).set(keyA).send({ name: 'x' }).expect(404);
    await http().get(`/api/v1/projects/${b.project.uid}/api-keys`).set(keyA).expect(404);
    const list = await http().get('/api/v1/projects').set(keyA).expect(200);
    expect(list.body.data.map((p: { uid: string }) => p.uid)).toEqual([a.project.uid]);
    await http().post('/api/v1/projects').set(keyA).send({ name: 'c', type: 'outgoing' }).expect(403);
    await http().delete(`/api/v1/projects/${a.project.uid}`).set(keyA).expect(403);
  });

  it('updates with 202 and merges config', async () => {
    const p = (await http().post('/api/v1/projects').set(admin).send({ name: 'u', type: 'outgoing' }).expect(201)).body.data.project;
    const res = await http()
      .put(`/api/v1/projects/${p.uid}`)
      .set(admin)
      .send({ config: { strategy: { type: 'exponential' }, disable_endpoint: true } })
      .expect(202);
    expect(res.body.data.config.strategy).toEqual({ type: 'exponential', duration: 100, retry_count: 10 });
    expect(res.body.data.config.disable_endpoint).toBe(true);
  });

  it("keeps a project's own retention_policy, a Go duration, and refuses anything else naming the field", async () => {
    const p = (await http().post('/api/v1/projects').set(admin).send({ name: 'r', type: 'outgoing' }).expect(201)).body.data.project;
    expect(p.config.retention_policy).toBeUndefined();
    const res = await http()
      .put(`/api/v1/projects/${p.uid}`)
      .set(admin)
      .send({ config: { retention_policy: '36h30m' } })
      .expect(202);
    expect(res.body.data.config.retention_policy).toBe('36h30m');
    const bad = await http()
      .put(`/api/v1/projects/${p.uid}`)
      .set(admin)
      .send({ config: { retention_policy: 'a week' } })
      .expect(400);
    expect((bad.body.data.errors as { field: string }[]).map((e) => e.field)).toEqual(['config.retention_policy']);
  });

  it('creates and revokes extra project keys', async () => {
    const created = (await http().post('/api/v1/projects').set(admin).send({ name: 'k', type: 'outgoing' }).expect(201)).body.data;
    const pid = created.project.uid;
    const first = { Authorization: `Bearer ${created.api_key.key}` };
    const extra = (await http().post(`/api/v1/projects/${pid}/api-keys`).set(first).send({ name: 'ci' }).expect(201)).body.data;
    const second = { Authorization: `Bearer ${extra.key}` };
    await http().get(`/api/v1/projects/${pid}`).set(second).expect(200);
    const list = await http().get(`/api/v1/projects/${pid}/api-keys`).set(first).expect(200);
    expect(list.body.data.content).toHaveLength(2);
    expect(JSON.stringify(list.body)).not.toContain(extra.key);
    await http().delete(`/api/v1/projects/${pid}/api-keys/${extra.uid}`).set(first).expect(200);
    await http().get(`/api/v1/projects/${pid}`).set(second).expect(401);
  });

  it('lists projects as Convoy does: one array, newest first', async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i++)
      made.push(
        (
          await http()
            .post('/api/v1/projects')
            .set(admin)
            .send({ name: `p${i}`, type: 'incoming' })
            .expect(201)
        ).body.data.project.uid,
      );
    const list = await http().get('/api/v1/projects?orgID=x').set(admin).expect(200);
    expect(Array.isArray(list.body.data)).toBe(true);
    const uids = (list.body.data as { uid: string }[]).map((p) => p.uid);
    expect(uids.slice(0, 3)).toEqual([...made].reverse());
  });

  it('deletes a project and its keys stop working', async () => {
    const created = (await http().post('/api/v1/projects').set(admin).send({ name: 'd', type: 'outgoing' }).expect(201)).body.data;
    await http().delete(`/api/v1/projects/${created.project.uid}`).set(admin).expect(200);
    await http().get(`/api/v1/projects/${created.project.uid}`).set(admin).expect(404);
  });

  it("tags every answer with a request id, taking the caller's when it is sane", async () => {
    const own = await http().get('/health/live').set('X-Request-Id', 'trace-123').expect(200);
    expect(own.headers['x-request-id']).toBe('trace-123');
    const made = await http().get('/health/live').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves liveness, readiness and the OpenAPI document', async () => {
    await http().get('/health/live').expect(200);
    // Redis may still be connecting right after start-up: readiness says 503 until it is
    const ready = await waitUntil('readiness', async () => {
      const r = await http().get('/health/ready');
      expect([200, 503]).toContain(r.status);
      return r.status === 200 && r;
    });
    expect(ready.body.info).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'up' } });
    const doc = await http().get('/docs-json').expect(200);
    expect(doc.body.paths['/api/v1/projects']).toBeDefined();
  });
});
