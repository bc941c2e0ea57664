import { Client } from 'pg';
import request from 'supertest';
import { ApiHarness, startApiHarness, TEST_ADMIN_KEY } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { EndpointChange, EndpointEvents, EndpointsService } from '../../src/modules/endpoints';

/** A loopback sink the operator allowed; nothing listens there and nothing dials it. */
const ALLOWED_SINK = '127.0.0.1:45999';

describe('endpoints (e2e)', () => {
  let h: ApiHarness;
  let db: Client;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const http = () => request(h.app.getHttpServer());

  async function newProject(config: Record<string, unknown> = { ssl: { enforce_secure_endpoints: false } }) {
    const res = await http().post('/api/v1/projects').set(admin).send({ name: 'shop', type: 'outgoing', config }).expect(201);
    return { id: res.body.data.project.uid as string, auth: { Authorization: `Bearer ${res.body.data.api_key.key}` } };
  }

  async function newEndpoint(p: { id: string; auth: Record<string, string> }, body: Record<string, unknown> = {}) {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'orders', url: 'https://hooks.example.com/orders', ...body })
      .expect(201);
    return res.body.data;
  }

  async function storedRow(id: string): Promise<string> {
    const r = await db.query<{ row: string }>(`SELECT row_to_json(e)::text AS row FROM endpoints e WHERE id = $1`, [id]);
    return r.rows[0].row;
  }

  beforeAll(async () => {
    h = await startApiHarness(createApiApp, { egressAllow: [ALLOWED_SINK] });
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await h.close();
  });

  it('creates an endpoint with Convoy defaults and a generated secret that is stored sealed', async () => {
    const p = await newProject();
    const e = await newEndpoint(p);
    expect(e).toMatchObject({
      project_id: p.id,
      name: 'orders',
      url: 'https://hooks.example.com/orders',
      status: 'active',
      http_timeout: 10,
      rate_limit: 0,
      rate_limit_duration: 0,
      max_concurrency: null,
      advanced_signatures: true,
      owner_id: '',
      content_type: 'application/json',
      authentication: null,
      deleted_at: null,
    });
    expect(e.uid).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(e.secrets).toHaveLength(1);
    expect(e.secrets[0]).toMatchObject({ expires_at: null, deleted_at: null });
    const secret = e.secrets[0].value as string;
    expect(secret.length).toBeGreaterThanOrEqual(32);

    const row = await storedRow(e.uid);
    expect(row).not.toContain(secret);
    expect(row).toContain('"kid"');

    const again = await http().get(`/api/v1/projects/${p.id}/endpoints/${e.uid}`).set(p.auth).expect(200);
    expect(again.body.data.secrets[0].value).toBe(secret);
  });

  it('generates whsec_ secrets for Standard Webhooks projects and checks given ones', async () => {
    const p = await newProject({ signature_scheme: 'standard' });
    const e = await newEndpoint(p);
    expect(e.secrets[0].value).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const bad = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'x', url: 'https://a.example.com/', secret: 'short' })
      .expect(400);
    expect(bad.body.code).toBe('invalid_secret');
  });

  it('keeps api-key credentials sealed at rest and refuses reserved header names', async () => {
    const p = await newProject();
    const e = await newEndpoint(p, {
      secret: 'my-own-secret-value-0001',
      authentication: { type: 'api_key', api_key: { header_name: 'X-Api-Key', header_value: 'credential-0123456789' } },
    });
    expect(e.secrets[0].value).toBe('my-own-secret-value-0001');
    expect(e.authentication).toMatchObject({ type: 'api_key', api_key: { header_name: 'X-Api-Key', header_value: 'credential-0123456789' } });
    const row = await storedRow(e.uid);
    expect(row).not.toContain('credential-0123456789');
    expect(row).not.toContain('my-own-secret-value-0001');

    const reserved = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({
        name: 'x',
        url: 'https://a.example.com/',
        authentication: { type: 'api_key', api_key: { header_name: 'X-Convoy-Signature', header_value: 'v' } },
      })
      .expect(400);
    expect(reserved.body.code).toBe('invalid_authentication');
    await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({
        name: 'x',
        url: 'https://a.example.com/',
        authentication: { type: 'api_key', api_key: { header_name: 'X-Key', header_value: 'a\r\nInjected: 1' } },
      })
      .expect(400);
    const oauth = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'x', url: 'https://a.example.com/', authentication: { type: 'oauth2', oauth2: {} } })
      .expect(400);
    expect(oauth.body.code).toBe('invalid_authentication');
    expect(oauth.body.message).toBe('authentication.oauth2.url is required');

    const cleared = await http().put(`/api/v1/projects/${p.id}/endpoints/${e.uid}`).set(p.auth).send({ authentication: null }).expect(202);
    expect(cleared.body.data.authentication).toBeNull();
  });

  it('names every bad field in a 400', async () => {
    const p = await newProject();
    const res = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ url: 'https://a.example.com/', http_timeout: 0, rate_limit: -1, support_email: 'nope', extra: true })
      .expect(400);
    const fields = (res.body.data.errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'http_timeout', 'rate_limit', 'support_email', 'extra']));
  });

  it('lists with search, owner filter, sort and cursor pagination', async () => {
    const p = await newProject();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await newEndpoint(p, { name: `billing-${i}`, owner_id: i % 2 === 0 ? 'acme' : 'globex' })).uid);
    await newEndpoint(p, { name: 'other_100%' });

    const first = await http().get(`/api/v1/projects/${p.id}/endpoints?perPage=2&q=billing`).set(p.auth).expect(200);
    expect(first.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([made[4], made[3]]);
    expect(first.body.data.pagination).toMatchObject({ per_page: 2, has_next_page: true, has_prev_page: false });
    const second = await http()
      .get(`/api/v1/projects/${p.id}/endpoints?perPage=2&q=billing&next_page_cursor=${first.body.data.pagination.next_page_cursor}`)
      .set(p.auth)
      .expect(200);
    expect(second.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([made[2], made[1]]);
    const back = await http()
      .get(`/api/v1/projects/${p.id}/endpoints?perPage=2&q=billing&direction=prev&prev_page_cursor=${second.body.data.pagination.prev_page_cursor}`)
      .set(p.auth)
      .expect(200);
    expect(back.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([made[4], made[3]]);

    const owned = await http().get(`/api/v1/projects/${p.id}/endpoints?ownerId=acme`).set(p.auth).expect(200);
    expect(owned.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([made[4], made[2], made[0]]);
    const asc = await http().get(`/api/v1/projects/${p.id}/endpoints?q=billing&sort=ASC&perPage=3`).set(p.auth).expect(200);
    expect(asc.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([made[0], made[1], made[2]]);
    // LIKE wildcards in the search are literals
    const pct = await http()
      .get(`/api/v1/projects/${p.id}/endpoints?q=${encodeURIComponent('0%')}`)
      .set(p.auth)
      .expect(200);
    expect(pct.body.data.content.map((e: { name: string }) => e.name)).toEqual(['other_100%']);
  });

  it('updates with 202, keeping what is absent', async () => {
    const p = await newProject();
    const e = await newEndpoint(p, { description: 'keep me', owner_id: 'acme' });
    const res = await http()
      .put(`/api/v1/projects/${p.id}/endpoints/${e.uid}`)
      .set(p.auth)
      .send({ name: 'renamed', http_timeout: 30, rate_limit: 50, rate_limit_duration: 60, max_concurrency: 4 })
      .expect(202);
    expect(res.body.data).toMatchObject({
      name: 'renamed',
      description: 'keep me',
      owner_id: 'acme',
      http_timeout: 30,
      rate_limit: 50,
      rate_limit_duration: 60,
      max_concurrency: 4,
    });
    expect(res.body.data.secrets[0].value).toBe(e.secrets[0].value);
    await http().put(`/api/v1/projects/${p.id}/endpoints/${e.uid}`).set(p.auth).send({ http_timeout: 61 }).expect(400);

    // a new secret in an update replaces the current one at once
    const rolled = await http().put(`/api/v1/projects/${p.id}/endpoints/${e.uid}`).set(p.auth).send({ secret: 'replacement-secret-000001' }).expect(202);
    const svc = h.app.get(EndpointsService);
    const row = await svc.getLive(p.id, e.uid);
    expect(svc.signingSecrets(row, new Date())).toEqual(['replacement-secret-000001']);
    expect(rolled.body.data.secrets).toHaveLength(2);
  });

  it('pauses, resumes and activates, telling listeners about each status change', async () => {
    const p = await newProject();
    const e = await newEndpoint(p);
    const seen: EndpointChange[] = [];
    const unsubscribe = h.app.get(EndpointEvents).subscribe((c) => {
      if (c.endpointId === e.uid) seen.push(c);
    });
    try {
      const base = `/api/v1/projects/${p.id}/endpoints/${e.uid}`;
      expect((await http().put(`${base}/pause`).set(p.auth).expect(202)).body.data.status).toBe('paused');
      expect((await http().put(`${base}/pause`).set(p.auth).expect(202)).body.data.status).toBe('active');
      await http().put(`${base}/pause`).set(p.auth).expect(202);
      expect((await http().post(`${base}/activate`).set(p.auth).expect(202)).body.data.status).toBe('active');
      expect((await http().put(base).set(p.auth).send({ is_disabled: true }).expect(202)).body.data.status).toBe('inactive');
      const refused = await http().put(`${base}/pause`).set(p.auth).expect(409);
      expect(refused.body.code).toBe('endpoint_inactive');
      expect((await http().put(`${base}/activate`).set(p.auth).expect(202)).body.data.status).toBe('active');
      // already active: nothing changes and nobody is told
      await http().post(`${base}/activate`).set(p.auth).expect(202);

      const transitions = seen.filter((c) => c.type === 'endpoint.status_changed').map((c) => `${c.from}->${c.to}`);
      expect(transitions).toEqual(['active->paused', 'paused->active', 'active->paused', 'paused->active', 'active->inactive', 'inactive->active']);
    } finally {
      unsubscribe();
    }
  });

  it('rolls secrets: the old one signs until the expiration, then only the new one', async () => {
    const p = await newProject();
    const e = await newEndpoint(p, { secret: 'first-secret-value-000001' });
    const base = `/api/v1/projects/${p.id}/endpoints/${e.uid}`;
    const before = Date.now();
    const res = await http().put(`${base}/expire_secret`).set(p.auth).send({ expiration: 3600 }).expect(200);
    const secrets = res.body.data.secrets as { value: string; expires_at: string | null }[];
    expect(secrets).toHaveLength(2);
    const old = secrets.find((s) => s.value === 'first-secret-value-000001')!;
    const fresh = secrets.find((s) => s.value !== 'first-secret-value-000001')!;
    expect(fresh.expires_at).toBeNull();
    expect(Date.parse(old.expires_at!) - before).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(Date.parse(old.expires_at!) - before).toBeLessThan(3600_000 + 60_000);

    const svc = h.app.get(EndpointsService);
    const row = await svc.getLive(p.id, e.uid);
    expect(svc.signingSecrets(row, new Date())).toEqual([fresh.value, 'first-secret-value-000001']);
    expect(svc.signingSecrets(row, new Date(Date.now() + 3601_000))).toEqual([fresh.value]);
    expect(await storedRow(e.uid)).not.toContain(fresh.value);

    const now = await http().put(`${base}/expire_secret`).set(p.auth).send({ expiration: 0, secret: 'third-secret-value-000003' }).expect(200);
    expect(now.body.data.secrets).toHaveLength(3);
    const after = await svc.getLive(p.id, e.uid);
    expect(svc.signingSecrets(after, new Date())).toEqual(['third-secret-value-000003', 'first-secret-value-000001']);

    await http()
      .put(`${base}/expire_secret`)
      .set(p.auth)
      .send({ expiration: 31 * 24 * 3600 })
      .expect(400);
    await http().put(`${base}/expire_secret`).set(p.auth).send({}).expect(400);
  });

  it('deletes an endpoint: gone from get and list, and from delivery lookups', async () => {
    const p = await newProject();
    const e = await newEndpoint(p);
    const svc = h.app.get(EndpointsService);
    expect((await svc.getForDelivery(e.uid))?.id).toBe(e.uid);
    await http().delete(`/api/v1/projects/${p.id}/endpoints/${e.uid}`).set(p.auth).expect(200);
    await http().get(`/api/v1/projects/${p.id}/endpoints/${e.uid}`).set(p.auth).expect(404);
    await http().delete(`/api/v1/projects/${p.id}/endpoints/${e.uid}`).set(p.auth).expect(404);
    const list = await http().get(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).expect(200);
    expect(list.body.data.content).toHaveLength(0);
    expect(await svc.getForDelivery(e.uid)).toBeNull();
  });

  it("answers 404 for another project's endpoints on every route, both ways", async () => {
    const a = await newProject();
    const b = await newProject();
    const eb = await newEndpoint(b);
    const ea = await newEndpoint(a);
    const routes = (pid: string, eid: string) => [
      () => http().get(`/api/v1/projects/${pid}/endpoints/${eid}`),
      () => http().put(`/api/v1/projects/${pid}/endpoints/${eid}`).send({ name: 'x' }),
      () => http().delete(`/api/v1/projects/${pid}/endpoints/${eid}`),
      () => http().put(`/api/v1/projects/${pid}/endpoints/${eid}/pause`),
      () => http().post(`/api/v1/projects/${pid}/endpoints/${eid}/activate`),
      () => http().put(`/api/v1/projects/${pid}/endpoints/${eid}/activate`),
      () => http().put(`/api/v1/projects/${pid}/endpoints/${eid}/expire_secret`).send({ expiration: 0 }),
    ];
    // A's key on B's path
    for (const call of routes(b.id, eb.uid)) await call().set(a.auth).expect(404);
    await http().get(`/api/v1/projects/${b.id}/endpoints`).set(a.auth).expect(404);
    await http().post(`/api/v1/projects/${b.id}/endpoints`).set(a.auth).send({ name: 'x', url: 'https://a.example.com/' }).expect(404);
    // B's endpoint under A's path, with A's key and with the admin key
    for (const call of routes(a.id, eb.uid)) await call().set(a.auth).expect(404);
    for (const call of routes(a.id, eb.uid)) await call().set(admin).expect(404);
    const list = await http().get(`/api/v1/projects/${a.id}/endpoints`).set(a.auth).expect(200);
    expect(list.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([ea.uid]);
    // nothing of B's changed
    const still = await http().get(`/api/v1/projects/${b.id}/endpoints/${eb.uid}`).set(b.auth).expect(200);
    expect(still.body.data).toMatchObject({ name: 'orders', status: 'active' });
    expect(still.body.data.secrets).toHaveLength(1);
  });

  it('answers 404 for endpoints of a deleted project, even with the admin key', async () => {
    const p = await newProject();
    const e = await newEndpoint(p);
    await http().delete(`/api/v1/projects/${p.id}`).set(admin).expect(200);
    await http().get(`/api/v1/projects/${p.id}/endpoints/${e.uid}`).set(admin).expect(404);
    await http().post(`/api/v1/projects/${p.id}/endpoints`).set(admin).send({ name: 'x', url: 'https://a.example.com/' }).expect(404);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = await http().get('/docs-json').expect(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/api/v1/projects/{projectID}/endpoints'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(paths['/api/v1/projects/{projectID}/endpoints/{endpointID}/expire_secret'].put).toBeDefined();
    expect(paths['/api/v1/projects/{projectID}/endpoints/{endpointID}/activate']).toHaveProperty('post');
  });

  describe('URL policy at write time', () => {
    const refused: [string, string][] = [
      ['http://localhost/hook', 'address_not_allowed'],
      ['http://127.0.0.1/hook', 'address_not_allowed'],
      ['http://10.0.0.1/hook', 'address_not_allowed'],
      ['http://169.254.169.254/latest/meta-data', 'address_not_allowed'],
      ['http://2130706433/', 'address_not_allowed'],
      ['http://[::1]/hook', 'address_not_allowed'],
      ['http://user:pass@hooks.example.com/', 'userinfo_not_allowed'],
      ['ftp://hooks.example.com/file', 'scheme_not_allowed'],
      ['not a url', 'invalid_url'],
    ];

    it.each(refused)('refuses %s with 400 %s', async (url, code) => {
      const p = await newProject();
      const res = await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'x', url }).expect(400);
      expect(res.body).toMatchObject({ status: false, code });
    });

    it('refuses a forbidden URL on update and for dynamic endpoints too', async () => {
      const p = await newProject();
      const e = await newEndpoint(p);
      await http().put(`/api/v1/projects/${p.id}/endpoints/${e.uid}`).set(p.auth).send({ url: 'http://169.254.169.254/' }).expect(400);
      await expect(h.app.get(EndpointsService).findOrCreateByUrl(p.id, 'http://10.0.0.1/')).rejects.toMatchObject({ code: 'address_not_allowed' });
      const still = await http().get(`/api/v1/projects/${p.id}/endpoints/${e.uid}`).set(p.auth).expect(200);
      expect(still.body.data.url).toBe('https://hooks.example.com/orders');
    });

    it('accepts only https when the project enforces secure endpoints', async () => {
      const p = await newProject({ ssl: { enforce_secure_endpoints: true } });
      const res = await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'x', url: 'http://hooks.example.com/' }).expect(400);
      expect(res.body.code).toBe('scheme_not_allowed');
      await newEndpoint(p, { url: 'https://hooks.example.com/' });
    });

    it('allows a loopback ip:port the operator put in EGRESS_ALLOW, and only that port', async () => {
      const p = await newProject();
      const ok = await newEndpoint(p, { url: `http://${ALLOWED_SINK}/sink` });
      expect(ok.url).toBe(`http://${ALLOWED_SINK}/sink`);
      await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'x', url: 'http://127.0.0.1:45998/sink' }).expect(400);
    });
  });

  describe('the service API the delivery pipeline uses', () => {
    it('finds or creates dynamic endpoints by URL, once', async () => {
      const p = await newProject();
      const svc = h.app.get(EndpointsService);
      const url = 'https://dynamic.example.com/hook';
      const [x, y] = await Promise.all([svc.findOrCreateByUrl(p.id, url, 'dynamic-secret-value-0001'), svc.findOrCreateByUrl(p.id, url)]);
      expect(x.id).toBe(y.id);
      const list = await http().get(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).expect(200);
      expect(list.body.data.content).toHaveLength(1);
      expect(list.body.data.content[0].url).toBe(url);
    });

    it('finds active and paused endpoints of an owner, not inactive or deleted ones', async () => {
      const p = await newProject();
      const a = await newEndpoint(p, { owner_id: 'acme' });
      const b = await newEndpoint(p, { owner_id: 'acme' });
      const c = await newEndpoint(p, { owner_id: 'acme', is_disabled: true });
      const d = await newEndpoint(p, { owner_id: 'acme' });
      await newEndpoint(p, { owner_id: 'globex' });
      await http().put(`/api/v1/projects/${p.id}/endpoints/${b.uid}/pause`).set(p.auth).expect(202);
      await http().delete(`/api/v1/projects/${p.id}/endpoints/${d.uid}`).set(p.auth).expect(200);
      const found = await h.app.get(EndpointsService).findByOwner(p.id, 'acme');
      expect(found.map((e) => e.id)).toEqual([a.uid, b.uid]);
      expect(found.map((e) => e.id)).not.toContain(c.uid);
    });

    it('sets a status with a reason and reports the change once', async () => {
      const p = await newProject();
      const e = await newEndpoint(p);
      const seen: EndpointChange[] = [];
      const events = h.app.get(EndpointEvents);
      const unsubscribe = events.subscribe((c) => {
        if (c.endpointId === e.uid) seen.push(c);
      });
      const svc = h.app.get(EndpointsService);
      try {
        expect((await svc.setStatus(p.id, e.uid, 'inactive', 'failing for 24h')).status).toBe('inactive');
        await svc.setStatus(p.id, e.uid, 'inactive', 'failing for 24h');
        expect(seen).toEqual([
          { type: 'endpoint.status_changed', projectId: p.id, endpointId: e.uid, from: 'active', to: 'inactive', reason: 'failing for 24h' },
        ]);
        await expect(svc.setStatus(p.id, 'NOPE', 'active', 'x')).rejects.toMatchObject({ kind: 'not_found' });
      } finally {
        unsubscribe();
      }
    });

    it('adds the endpoint credentials as delivery headers', async () => {
      const p = await newProject();
      const e = await newEndpoint(p, { authentication: { type: 'basic_auth', basic_auth: { username: 'hook', password: 'pw-0123456789' } } });
      const svc = h.app.get(EndpointsService);
      const row = await svc.getLive(p.id, e.uid);
      expect(svc.authenticationHeaders(row)).toEqual({ Authorization: `Basic ${Buffer.from('hook:pw-0123456789').toString('base64')}` });
      expect(await storedRow(e.uid)).not.toContain('pw-0123456789');
    });
  });
});
