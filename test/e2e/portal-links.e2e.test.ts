import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import { ApiHarness, startApiHarness, TEST_ADMIN_KEY } from '../../libs/testing';
import { recordContract } from '../../libs/testing/convoy-contract';
import { createApiApp } from '../../src/app/api.bootstrap';

type Auth = Record<string, string>;

/**
 * Portal links and the portal API. Nothing is delivered here (no worker runs): the
 * deliveries that ingest commits are enough to check what each owner can see.
 */
describe('portal links (e2e)', () => {
  let h: ApiHarness;
  /** a second api process on the same database and Redis: another pod */
  let pod2: NestFastifyApplication;
  let pod2Contract: { check(): void };
  let db: Client;
  const sql = async <T>(text: string, params: unknown[]): Promise<T[]> => (await db.query(text, params)).rows as T[];
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const http = () => request(h.app.getHttpServer());
  const http2 = () => request(pod2.getHttpServer());
  const bearer = (token: string): Auth => ({ Authorization: `Bearer ${token}` });

  let project: { id: string; auth: Auth };
  const ids = { a: [] as string[], b: [] as string[], events: { a: '', b: '' }, deliveries: { a: '', b: '' } };

  async function newEndpoint(ownerId: string, name: string): Promise<string> {
    const res = await http()
      .post(`/api/v1/projects/${project.id}/endpoints`)
      .set(project.auth)
      .send({ name, url: `https://hooks.example.com/${name}`, owner_id: ownerId })
      .expect(201);
    return res.body.data.uid as string;
  }

  async function sendEvent(endpointId: string): Promise<{ event: string; delivery: string }> {
    const ev = await http()
      .post(`/api/v1/projects/${project.id}/events`)
      .set(project.auth)
      .send({ endpoint_id: endpointId, event_type: 'order.created', data: { n: 1 } })
      .expect(201);
    const d = await http().get(`/api/v1/projects/${project.id}/eventdeliveries?eventId=${ev.body.data.uid}`).set(project.auth).expect(200);
    expect(d.body.data.content).toHaveLength(1);
    return { event: ev.body.data.uid as string, delivery: d.body.data.content[0].uid as string };
  }

  async function newLink(body: Record<string, unknown>): Promise<{ uid: string; token: string; body: Record<string, unknown> }> {
    const res = await http().post(`/api/v1/projects/${project.id}/portal-links`).set(project.auth).send(body).expect(201);
    const data = res.body.data as Record<string, unknown>;
    const token = (data.auth_type === 'refresh_token' ? data.auth_key : data.token) as string;
    return { uid: data.uid as string, token, body: data };
  }

  beforeAll(async () => {
    h = await startApiHarness(createApiApp);
    db = new Client({ connectionString: h.db.url });
    await db.connect();
    pod2 = await createApiApp({ config: h.config });
    pod2Contract = recordContract(pod2.getHttpAdapter().getInstance());
    await pod2.init();
    await pod2.getHttpAdapter().getInstance().ready();
    const res = await http().post('/api/v1/projects').set(admin).send({ name: 'shop', type: 'outgoing', config: {} }).expect(201);
    project = { id: res.body.data.project.uid as string, auth: { Authorization: `Bearer ${res.body.data.api_key.key}` } };
    ids.a.push(await newEndpoint('owner-a', 'a1'), await newEndpoint('owner-a', 'a2'));
    ids.b.push(await newEndpoint('owner-b', 'b1'));
    const a = await sendEvent(ids.a[0]);
    const b = await sendEvent(ids.b[0]);
    ids.events = { a: a.event, b: b.event };
    ids.deliveries = { a: a.delivery, b: b.delivery };
  });

  afterAll(async () => {
    await db?.end();
    await pod2?.close();
    await h?.close();
    pod2Contract?.check();
  });

  it("creates a static-token link with Convoy's fields, showing the token only in the answer that issued it", async () => {
    const link = await newLink({ name: 'A portal', owner_id: 'owner-a', can_manage_endpoint: true });
    expect(link.body).toMatchObject({
      name: 'A portal',
      owner_id: 'owner-a',
      auth_type: 'static_token',
      can_manage_endpoint: true,
      endpoint_count: 2,
      auth_key: '',
    });
    expect(link.token).toMatch(/^PRT\.[A-Za-z0-9]+\.[A-Za-z0-9]+$/);
    expect(link.body.url).toContain(`/portal?token=${encodeURIComponent(link.token)}`);
    expect((link.body.endpoints_metadata as { uid: string }[]).map((e) => e.uid).sort()).toEqual([...ids.a].sort());
    const read = await http().get(`/api/v1/projects/${project.id}/portal-links/${link.uid}`).set(project.auth).expect(200);
    expect(read.body.data).toMatchObject({ uid: link.uid, token: '', auth_key: '' });
    expect(JSON.stringify(read.body)).not.toContain(link.token);
    const list = await http().get(`/api/v1/projects/${project.id}/portal-links?ownerId=owner-a`).set(project.auth).expect(200);
    expect(list.body.data.content.map((l: { uid: string }) => l.uid)).toContain(link.uid);
    expect(list.body.data.pagination).toMatchObject({ per_page: 20 });
    expect(JSON.stringify(list.body)).not.toContain(link.token);
    // the token is stored hashed: only its mask is in the database
    const stored = await sql<{ hash: string; mask_id: string }>(`SELECT hash, mask_id FROM portal_link_tokens WHERE portal_link_id = $1`, [link.uid]);
    expect(stored).toHaveLength(1);
    expect(link.token).toContain(stored[0].mask_id);
    expect(link.token).not.toContain(stored[0].hash);
  });

  it("never shows owner A's token anything of owner B, in lists or by id", async () => {
    const { token } = await newLink({ name: 'A', owner_id: 'owner-a' });
    const a = bearer(token);
    const session = await http().get('/portal-api/portal_link').set(a).expect(200);
    expect(session.body).toMatchObject({
      status: true,
      data: { owner_id: 'owner-a', project_name: 'shop', can_manage_endpoint: false, token_expires_at: null },
    });

    const eps = await http().get('/portal-api/endpoints').set(a).expect(200);
    expect(eps.body.data.content.map((e: { uid: string }) => e.uid).sort()).toEqual([...ids.a].sort());
    // other owners' endpoints cannot be asked for, not even by filter
    await http().get(`/portal-api/endpoints?ownerId=owner-b`).set(a).expect(400);
    await http().get(`/portal-api/endpoints/${ids.a[0]}`).set(a).expect(200);
    const notMine = await http().get(`/portal-api/endpoints/${ids.b[0]}`).set(a).expect(404);
    expect(notMine.body.code).toBe('endpoint_not_found');

    const events = await http().get('/portal-api/events').set(a).expect(200);
    expect(events.body.data.content.map((e: { uid: string }) => e.uid)).toEqual([ids.events.a]);
    const narrowed = await http().get(`/portal-api/events?endpointId=${ids.b[0]}`).set(a).expect(200);
    expect(narrowed.body.data.content).toEqual([]);
    await http().get(`/portal-api/events/${ids.events.a}`).set(a).expect(200);
    expect((await http().get(`/portal-api/events/${ids.events.b}`).set(a).expect(404)).body.code).toBe('event_not_found');

    const deliveries = await http().get('/portal-api/eventdeliveries').set(a).expect(200);
    expect(deliveries.body.data.content.map((d: { uid: string }) => d.uid)).toEqual([ids.deliveries.a]);
    const filtered = await http().get(`/portal-api/eventdeliveries?endpointId=${ids.b[0]}&status=Scheduled`).set(a).expect(200);
    expect(filtered.body.data.content).toEqual([]);
    await http().get(`/portal-api/eventdeliveries/${ids.deliveries.a}`).set(a).expect(200);
    await http().get(`/portal-api/eventdeliveries/${ids.deliveries.b}`).set(a).expect(404);
    await http().get(`/portal-api/eventdeliveries/${ids.deliveries.b}/deliveryattempts`).set(a).expect(404);
    expect((await http().get(`/portal-api/eventdeliveries/${ids.deliveries.a}/deliveryattempts`).set(a).expect(200)).body.data).toEqual([]);
    await http().put(`/portal-api/eventdeliveries/${ids.deliveries.b}/resend`).set(a).expect(404);
    // its own delivery is found, and refused only because it has not failed
    expect((await http().put(`/portal-api/eventdeliveries/${ids.deliveries.a}/resend`).set(a).expect(400)).body.code).toBe('delivery_not_failed');
    expect((await http().post('/portal-api/eventdeliveries/batchretry').set(a).expect(200)).body.data).toEqual({ resent: 0 });

    const subs = await http().get('/portal-api/subscriptions').set(a).expect(200);
    expect(subs.body.data.content.map((s: { endpoint_id: string }) => s.endpoint_id)).toEqual([ids.a[0]]);
    expect(subs.body.data.content[0].endpoint_metadata.secrets[0].value).toBe('');
    await http().get(`/portal-api/subscriptions/${subs.body.data.content[0].uid}`).set(a).expect(200);
    const bSubs = await http().get(`/api/v1/projects/${project.id}/subscriptions?endpointId=${ids.b[0]}`).set(project.auth).expect(200);
    await http().get(`/portal-api/subscriptions/${bSubs.body.data.content[0].uid}`).set(a).expect(404);
    await http().get(`/portal-api/eventdeliveries/${ids.deliveries.b}/deliveryattempts/01JAAAAAAAAAAAAAAAAAAAAAAA`).set(a).expect(404);

    // ?token= works as well as the header
    const q = await http()
      .get(`/portal-api/endpoints?token=${encodeURIComponent(token)}`)
      .expect(200);
    expect(q.body.data.content).toHaveLength(2);
  });

  it('refuses writes with 403 when can_manage_endpoint is false, and allows them when true', async () => {
    const ro = bearer((await newLink({ name: 'read only', owner_id: 'owner-a' })).token);
    const refused = await http().post('/portal-api/endpoints').set(ro).send({ name: 'x', url: 'https://hooks.example.com/x' }).expect(403);
    expect(refused.body).toMatchObject({ status: false, code: 'portal_read_only' });
    await http().put(`/portal-api/endpoints/${ids.a[1]}`).set(ro).send({ name: 'renamed' }).expect(403);
    await http().put(`/portal-api/endpoints/${ids.a[1]}/pause`).set(ro).expect(403);
    await http().put(`/portal-api/endpoints/${ids.a[1]}/expire_secret`).set(ro).send({ expiration: 0 }).expect(403);
    await http().delete(`/portal-api/endpoints/${ids.a[1]}`).set(ro).expect(403);

    const rw = bearer((await newLink({ name: 'manager', owner_id: 'owner-c', can_manage_endpoint: true })).token);
    const created = await http()
      .post('/portal-api/endpoints')
      .set(rw)
      .send({ name: 'c1', url: 'https://hooks.example.com/c1', owner_id: 'owner-a' })
      .expect(201);
    expect(created.body.data.owner_id).toBe('owner-c');
    const secret = created.body.data.secrets[0].value as string;
    expect(secret.length).toBeGreaterThan(10);
    const c1 = created.body.data.uid as string;
    const read = await http().get(`/portal-api/endpoints/${c1}`).set(rw).expect(200);
    expect(read.body.data.secrets[0].value).toBe('');
    expect(JSON.stringify(read.body)).not.toContain(secret);
    const renamed = await http().put(`/portal-api/endpoints/${c1}`).set(rw).send({ name: 'c1-renamed', owner_id: 'owner-a' }).expect(202);
    expect(renamed.body.data).toMatchObject({ name: 'c1-renamed', owner_id: 'owner-c' });
    expect((await http().put(`/portal-api/endpoints/${c1}/pause`).set(rw).expect(202)).body.data.status).toBe('paused');
    const rolled = await http().put(`/portal-api/endpoints/${c1}/expire_secret`).set(rw).send({ expiration: 0 }).expect(200);
    expect(rolled.body.data.secrets.some((s: { value: string }) => s.value.length > 10 && s.value !== secret)).toBe(true);
    // another owner's endpoint is absent for writes too
    await http().put(`/portal-api/endpoints/${ids.a[1]}`).set(rw).send({ name: 'stolen' }).expect(404);
    await http().put(`/portal-api/endpoints/${ids.a[1]}/pause`).set(rw).expect(404);
    await http().delete(`/portal-api/endpoints/${ids.a[1]}`).set(rw).expect(404);
    await http().delete(`/portal-api/endpoints/${c1}`).set(rw).expect(200);
    await http().get(`/portal-api/endpoints/${c1}`).set(rw).expect(404);
  });

  it('stops a revoked link at once, on every pod', async () => {
    const link = await newLink({ name: 'to revoke', owner_id: 'owner-a' });
    const t = bearer(link.token);
    await http().get('/portal-api/endpoints').set(t).expect(200);
    await http2().get('/portal-api/endpoints').set(t).expect(200);
    await http().put(`/api/v1/projects/${project.id}/portal-links/${link.uid}/revoke`).set(project.auth).expect(200);
    expect((await http2().get('/portal-api/endpoints').set(t).expect(401)).body.code).toBe('unauthorized');
    await http().get('/portal-api/portal_link').set(t).expect(401);
    await http().get(`/api/v1/projects/${project.id}/portal-links/${link.uid}`).set(project.auth).expect(404);
    await http().get(`/api/v1/projects/${project.id}/portal-links/${link.uid}/refresh_token`).set(project.auth).expect(404);
  });

  it('issues short-lived tokens to refresh_token links; a refresh stops the old token', async () => {
    const link = await newLink({ name: 'refreshing', owner_id: 'owner-a', auth_type: 'refresh_token' });
    expect(link.body).toMatchObject({ auth_type: 'refresh_token', token: '' });
    const old = bearer(link.token);
    const s = await http2().get('/portal-api/portal_link').set(old).expect(200);
    const expires = Date.parse(s.body.data.token_expires_at as string);
    expect(expires).toBeGreaterThan(Date.now() + 3500_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000);

    const refreshed = await http().get(`/api/v1/projects/${project.id}/portal-links/${link.uid}/refresh_token`).set(project.auth).expect(200);
    const fresh = refreshed.body.data as string;
    expect(fresh).toMatch(/^PRT\./);
    expect(fresh).not.toBe(link.token);
    await http2().get('/portal-api/endpoints').set(old).expect(401);
    await http2().get('/portal-api/endpoints').set(bearer(fresh)).expect(200);

    // an expired token opens nothing
    await sql(`UPDATE portal_link_tokens SET expires_at = now() - interval '1 second' WHERE portal_link_id = $1`, [link.uid]);
    await http().get('/portal-api/endpoints').set(bearer(fresh)).expect(401);
    // a static link's refresh replaces its token as well
    const st = await newLink({ name: 'static', owner_id: 'owner-b' });
    const again = await http().get(`/api/v1/projects/${project.id}/portal-links/${st.uid}/refresh_token`).set(project.auth).expect(200);
    await http().get('/portal-api/endpoints').set(bearer(st.token)).expect(401);
    await http()
      .get('/portal-api/endpoints')
      .set(bearer(again.body.data as string))
      .expect(200);
  });

  it("sets the owner_id of the deprecated endpoints[] that have none, and refuses another owner's", async () => {
    const loose = await newEndpoint('', 'loose');
    const link = await newLink({ name: 'legacy', owner_id: 'owner-d', endpoints: [loose] });
    expect(link.body).toMatchObject({ endpoints: [loose], endpoint_count: 1 });
    const ep = await http().get(`/api/v1/projects/${project.id}/endpoints/${loose}`).set(project.auth).expect(200);
    expect(ep.body.data.owner_id).toBe('owner-d');
    expect((await http().get('/portal-api/endpoints').set(bearer(link.token)).expect(200)).body.data.content.map((e: { uid: string }) => e.uid)).toEqual([
      loose,
    ]);

    // without owner_id the link is an owner of its own, as in Convoy
    const other = await newEndpoint('', 'loose2');
    const own = await newLink({ name: 'legacy2', endpoints: [other] });
    expect(own.body.owner_id).toBe(own.uid);
    expect((await http().get(`/api/v1/projects/${project.id}/endpoints/${other}`).set(project.auth).expect(200)).body.data.owner_id).toBe(own.uid);

    const refused = await http()
      .post(`/api/v1/projects/${project.id}/portal-links`)
      .set(project.auth)
      .send({ name: 'thief', owner_id: 'owner-d', endpoints: [ids.b[0]] })
      .expect(400);
    expect(refused.body.code).toBe('endpoint_owned_elsewhere');
    expect((await http().get(`/api/v1/projects/${project.id}/endpoints/${ids.b[0]}`).set(project.auth).expect(200)).body.data.owner_id).toBe('owner-b');
    // nothing of the refused link was stored
    expect((await http().get(`/api/v1/projects/${project.id}/portal-links?q=thief`).set(project.auth).expect(200)).body.data.content).toEqual([]);
  });

  it('updates a link; a change of auth type revokes the old token and shows the new one', async () => {
    const link = await newLink({ name: 'before', owner_id: 'owner-a' });
    const same = await http()
      .put(`/api/v1/projects/${project.id}/portal-links/${link.uid}`)
      .set(project.auth)
      .send({ name: 'after', owner_id: 'owner-b', can_manage_endpoint: true })
      .expect(202);
    expect(same.body.data).toMatchObject({ name: 'after', owner_id: 'owner-b', can_manage_endpoint: true, token: '', auth_key: '', endpoint_count: 1 });
    const eps = await http().get('/portal-api/endpoints').set(bearer(link.token)).expect(200);
    expect(eps.body.data.content.map((e: { uid: string }) => e.uid)).toEqual(ids.b);
    const switched = await http()
      .put(`/api/v1/projects/${project.id}/portal-links/${link.uid}`)
      .set(project.auth)
      .send({ name: 'after', auth_type: 'refresh_token' })
      .expect(202);
    expect(switched.body.data.owner_id).toBe('owner-b');
    const key = switched.body.data.auth_key as string;
    expect(key).toMatch(/^PRT\./);
    await http().get('/portal-api/endpoints').set(bearer(link.token)).expect(401);
    await http().get('/portal-api/endpoints').set(bearer(key)).expect(200);
    // leaving auth_type out keeps it, and the token in use
    const kept = await http().put(`/api/v1/projects/${project.id}/portal-links/${link.uid}`).set(project.auth).send({ name: 'renamed' }).expect(202);
    expect(kept.body.data).toMatchObject({ name: 'renamed', auth_type: 'refresh_token', auth_key: '' });
    await http().get('/portal-api/endpoints').set(bearer(key)).expect(200);
  });

  it("stops a project's links when the project is deleted", async () => {
    const res = await http().post('/api/v1/projects').set(admin).send({ name: 'gone', type: 'outgoing', config: {} }).expect(201);
    const p = res.body.data.project.uid as string;
    const created = await http()
      .post(`/api/v1/projects/${p}/portal-links`)
      .set({ Authorization: `Bearer ${res.body.data.api_key.key}` })
      .send({ name: 'x', owner_id: 'o' })
      .expect(201);
    const t = bearer(created.body.data.token as string);
    await http2().get('/portal-api/portal_link').set(t).expect(200);
    await http().delete(`/api/v1/projects/${p}`).set(admin).expect(200);
    await http2().get('/portal-api/portal_link').set(t).expect(401);
  });

  it('answers 401 without a token or with a bad one, and 404 for another project', async () => {
    expect((await http().get('/portal-api/endpoints').expect(401)).body.code).toBe('unauthorized');
    // refused before the body is read, and the connection is not kept to drain it
    const early = await http().post('/portal-api/endpoints').send({ name: 'x', url: 'https://hooks.example.com/x' }).expect(401);
    expect(early.headers.connection).toBe('close');
    await http().get('/portal-api/endpoints').set(bearer('PRT.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBB')).expect(401);
    // a project API key is not a portal token
    await http().get('/portal-api/endpoints').set(project.auth).expect(401);
    const other = await http().post('/api/v1/projects').set(admin).send({ name: 'other', type: 'outgoing', config: {} }).expect(201);
    const link = await newLink({ name: 'mine', owner_id: 'owner-a' });
    await http()
      .get(`/api/v1/projects/${project.id}/portal-links/${link.uid}`)
      .set({ Authorization: `Bearer ${other.body.data.api_key.key}` })
      .expect(404);
    await http().get(`/api/v1/projects/${other.body.data.project.uid}/portal-links/${link.uid}`).set(admin).expect(404);
  });
});
