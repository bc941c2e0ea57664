import { Client } from 'pg';
import request from 'supertest';
import { ApiHarness, startApiHarness, TEST_ADMIN_KEY } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';

describe('sources (e2e)', () => {
  let h: ApiHarness;
  const admin = { Authorization: `Bearer ${TEST_ADMIN_KEY}` };
  const http = () => request(h.app.getHttpServer());

  type Project = { id: string; auth: Record<string, string> };

  async function newProject(type: 'incoming' | 'outgoing' = 'incoming'): Promise<Project> {
    const res = await http().post('/api/v1/projects').set(admin).send({ name: 'inbound', type }).expect(201);
    return { id: res.body.data.project.uid as string, auth: { Authorization: `Bearer ${res.body.data.api_key.key}` } };
  }

  const create = (p: Project, body: Record<string, unknown>) => http().post(`/api/v1/projects/${p.id}/sources`).set(p.auth).send(body);

  beforeAll(async () => {
    h = await startApiHarness(createApiApp, { ingestBaseUrl: 'https://hooks.example.com/' });
  });
  afterAll(async () => {
    await h.close();
  });

  it('creates a GitHub source: a mask, its ingest url, the verifier without its secret', async () => {
    const p = await newProject();
    const res = await create(p, { name: 'gh', type: 'http', provider: 'github', verifier: { type: 'hmac', hmac: { secret: 'gh-secret-1' } } }).expect(201);
    const s = res.body.data;
    expect(s.mask_id).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(s.url).toBe(`https://hooks.example.com/ingest/${s.mask_id}`);
    expect(s).toMatchObject({ name: 'gh', type: 'http', provider: 'github', is_disabled: false, project_id: p.id });
    expect(s.verifier).toEqual({
      type: 'hmac',
      hmac: { header: 'X-Hub-Signature-256', hash: 'SHA256', encoding: 'hex', scheme: 'simple', tolerance: null },
      basic_auth: null,
      api_key: null,
    });
    expect(JSON.stringify(res.body)).not.toContain('gh-secret-1');
    // and sealed at rest
    const db = new Client({ connectionString: h.db.url });
    await db.connect();
    try {
      const rows = await db.query<{ verifier: unknown }>(`SELECT verifier FROM sources WHERE id = $1`, [s.uid]);
      expect(JSON.stringify(rows.rows[0].verifier)).not.toContain('gh-secret-1');
    } finally {
      await db.end();
    }
  });

  it('never returns basic-auth passwords or API-key values', async () => {
    const p = await newProject();
    const basic = await create(p, {
      name: 'b',
      type: 'http',
      verifier: { type: 'basic_auth', basic_auth: { username: 'shop', password: 'pw-secret-9' } },
    }).expect(201);
    expect(basic.body.data.verifier.basic_auth).toEqual({ username: 'shop' });
    const key = await create(p, {
      name: 'k',
      type: 'http',
      verifier: { type: 'api_key', api_key: { header_name: 'X-Key', header_value: 'key-secret-9' } },
    }).expect(201);
    expect(key.body.data.verifier.api_key).toEqual({ header_name: 'X-Key' });
    const list = await http().get(`/api/v1/projects/${p.id}/sources`).set(p.auth).expect(200);
    expect(JSON.stringify(list.body)).not.toMatch(/pw-secret-9|key-secret-9/);
  });

  it.each([
    [{ type: 'http' }, 'name is required'],
    [{ name: 'x' }, 'type is required'],
    [{ name: 'x', type: 'http', verifier: { type: 'hmac', hmac: { header: 'X-Sig', hash: 'MD5', encoding: 'hex', secret: 's' } } }, 'verifier.hmac.hash'],
    [{ name: 'x', type: 'http', verifier: { type: 'hmac', hmac: { header: 'X-Sig', hash: 'SHA256', encoding: 'hex' } } }, 'verifier.hmac.secret is required'],
    [{ name: 'x', type: 'http', verifier: { type: 'hmac' } }, 'verifier.hmac is required'],
    [{ name: 'x', type: 'http', verifier: { type: 'api_key' } }, 'verifier.api_key is required'],
    [{ name: 'x', type: 'http', provider: 'github' }, 'verifier.hmac.secret is required for a github source'],
    [{ name: 'x', type: 'http', idempotency_keys: ['request.cookie.id'] }, 'idempotency_keys[0]'],
    [{ name: 'x', type: 'http', event_type_location: 'type' }, 'event_type_location'],
    [
      { name: 'x', type: 'http', provider: 'shopify', verifier: { type: 'hmac', hmac: { secret: 's' } }, event_type_location: 'request.header.X-Topic' },
      'event_type_location cannot read',
    ],
    [{ name: 'x', type: 'http', forward_headers: ['bad header'] }, 'forward_headers'],
    [{ name: 'x', type: 'pub_sub' }, 'pub_sub sources belong to outgoing projects'],
    [{ name: 'x', type: 'http', pub_sub: { type: 'sqs' } }, 'pub_sub is only for sources of type pub_sub'],
    [{ name: 'x', type: 'rest_api' }, 'rest_api sources are not supported yet'],
  ])('refuses %j with 400 naming the field', async (body, message) => {
    const p = await newProject();
    const res = await create(p, body).expect(400);
    expect(res.body.status).toBe(false);
    expect(res.body.message).toContain(message);
    expect(res.body.code).toBeTruthy();
  });

  it('refuses a broker on a loopback or private address unless BROKER_ALLOW lists it, before connecting', async () => {
    const p = await newProject('outgoing');
    for (const pub_sub of [
      { type: 'amqp', amqp: { host: '127.0.0.1', port: '5672', queue: 'never-declared' } },
      { type: 'nats', nats: { servers: ['nats://localhost:4222'], stream: 'S', consumer: 'c' } },
    ]) {
      const res = await create(p, { name: 'mq', type: 'pub_sub', pub_sub }).expect(400);
      expect(res.body.code).toBe('broker_address_refused');
      expect(res.body.message).toMatch(/loopback address; add it to BROKER_ALLOW/);
    }
  });

  it('an unsigned verifier may read the event type from a header', async () => {
    const p = await newProject();
    await create(p, {
      name: 'x',
      type: 'http',
      verifier: { type: 'api_key', api_key: { header_name: 'X-Key', header_value: 'v' } },
      event_type_location: 'request.header.X-Event',
    }).expect(201);
  });

  it('a preset is not dropped without saying what verifies the source instead', async () => {
    const p = await newProject();
    const s = (await create(p, { name: 'gh', type: 'http', provider: 'github', verifier: { type: 'hmac', hmac: { secret: 'x' } } }).expect(201)).body.data;
    const res = await http().put(`/api/v1/projects/${p.id}/sources/${s.uid}`).set(p.auth).send({ provider: '' }).expect(400);
    expect(res.body.message).toBe('verifier is required when the provider is removed');
    const moved = await http()
      .put(`/api/v1/projects/${p.id}/sources/${s.uid}`)
      .set(p.auth)
      .send({ provider: '', verifier: { type: 'api_key', api_key: { header_name: 'X-Key', header_value: 'k' } } })
      .expect(202);
    expect(moved.body.data).toMatchObject({ provider: '', verifier: { type: 'api_key', api_key: { header_name: 'X-Key' } } });
  });

  it('refuses http sources in outgoing projects', async () => {
    const p = await newProject('outgoing');
    const res = await create(p, { name: 'x', type: 'http' }).expect(400);
    expect(res.body.code).toBe('incoming_project_required');
  });

  it('gets, updates and deletes; another project gets 404 for every route', async () => {
    const p = await newProject();
    const other = await newProject();
    const s = (
      await create(p, {
        name: 'src',
        type: 'http',
        verifier: { type: 'hmac', hmac: { header: 'X-Sig', hash: 'SHA512', encoding: 'base64', secret: 'x1' } },
      }).expect(201)
    ).body.data;
    await http().get(`/api/v1/projects/${other.id}/sources/${s.uid}`).set(other.auth).expect(404);
    await http().put(`/api/v1/projects/${other.id}/sources/${s.uid}`).set(other.auth).send({ name: 'stolen' }).expect(404);
    await http().delete(`/api/v1/projects/${other.id}/sources/${s.uid}`).set(other.auth).expect(404);
    // another project's key on this project's path
    await http().get(`/api/v1/projects/${p.id}/sources/${s.uid}`).set(other.auth).expect(404);

    const upd = await http()
      .put(`/api/v1/projects/${p.id}/sources/${s.uid}`)
      .set(p.auth)
      .send({ name: 'renamed', is_disabled: true, forward_headers: ['X-Request-Id'], custom_response: { body: 'ok', content_type: 'text/plain' } })
      .expect(202);
    expect(upd.body.data).toMatchObject({
      name: 'renamed',
      is_disabled: true,
      forward_headers: ['X-Request-Id'],
      custom_response: { body: 'ok', content_type: 'text/plain' },
    });
    // the verifier stays as it was when not given
    expect(upd.body.data.verifier.hmac).toMatchObject({ header: 'X-Sig', hash: 'SHA512', encoding: 'base64' });
    expect(upd.body.data.mask_id).toBe(s.mask_id);

    const got = await http().get(`/api/v1/projects/${p.id}/sources/${s.uid}`).set(p.auth).expect(200);
    expect(got.body.data.name).toBe('renamed');
    await http().delete(`/api/v1/projects/${p.id}/sources/${s.uid}`).set(p.auth).expect(200);
    await http().get(`/api/v1/projects/${p.id}/sources/${s.uid}`).set(p.auth).expect(404);
  });

  it('pages with cursors, newest first', async () => {
    const p = await newProject();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(p, { name: `s${i}`, type: 'http' }).expect(201)).body.data.uid);
    const first = await http().get(`/api/v1/projects/${p.id}/sources?perPage=2`).set(p.auth).expect(200);
    expect(first.body.data.content.map((s: { uid: string }) => s.uid)).toEqual([ids[4], ids[3]]);
    expect(first.body.data.pagination.has_next_page).toBe(true);
    const second = await http()
      .get(`/api/v1/projects/${p.id}/sources?perPage=2&next_page_cursor=${first.body.data.pagination.next_page_cursor}`)
      .set(p.auth)
      .expect(200);
    expect(second.body.data.content.map((s: { uid: string }) => s.uid)).toEqual([ids[2], ids[1]]);
    const byName = await http().get(`/api/v1/projects/${p.id}/sources?q=s3`).set(p.auth).expect(200);
    expect(byName.body.data.content.map((s: { uid: string }) => s.uid)).toEqual([ids[3]]);
  });

  it('subscriptions of incoming projects need a source of the same project; deleting the source takes them', async () => {
    const p = await newProject();
    const other = await newProject();
    const ep = (await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'e', url: 'https://hooks.example.com/e' }).expect(201)).body
      .data.uid;
    const s = (await create(p, { name: 'src', type: 'http' }).expect(201)).body.data;
    const foreign = (await create(other, { name: 'theirs', type: 'http' }).expect(201)).body.data;
    const sub = (body: Record<string, unknown>) =>
      http()
        .post(`/api/v1/projects/${p.id}/subscriptions`)
        .set(p.auth)
        .send({ name: 'sub', endpoint_id: ep, ...body });
    expect((await sub({}).expect(400)).body.message).toBe('source_id is required for incoming projects');
    await sub({ source_id: foreign.uid }).expect(404);
    const created = (await sub({ source_id: s.uid }).expect(201)).body.data;
    expect(created.source_id).toBe(s.uid);
    expect(created.source_metadata).toMatchObject({ uid: s.uid, mask_id: s.mask_id, name: 'src' });
    await http().put(`/api/v1/projects/${p.id}/subscriptions/${created.uid}`).set(p.auth).send({ source_id: foreign.uid }).expect(404);
    // one endpoint may take several sources: Convoy holds only outgoing projects to one subscription per endpoint
    const second = (await create(p, { name: 'src2', type: 'http' }).expect(201)).body.data;
    await sub({ source_id: second.uid }).expect(201);

    await http().delete(`/api/v1/projects/${p.id}/sources/${s.uid}`).set(p.auth).expect(200);
    await http().get(`/api/v1/projects/${p.id}/subscriptions/${created.uid}`).set(p.auth).expect(404);
  });
});
