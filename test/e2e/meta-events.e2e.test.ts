import { Client } from 'pg';
import request from 'supertest';
import { verifyConvoySignature } from '../../libs/webhooks';
import { PipelineHarness, startPipelineHarness, TEST_ADMIN_KEY, waitUntil, WebhookSink } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/** Meta events: stored, signed with the project's meta secret, sent by the worker, listed and resent through the API. */
type Proj = { id: string; auth: { Authorization: string } };
type MetaEvent = {
  uid: string;
  event_type: string;
  status: string;
  metadata: { data: { event_type: string; data: Record<string, unknown> }; num_trials: number };
};

describe('meta events (e2e)', () => {
  let h: PipelineHarness;
  const sinks: WebhookSink[] = [];
  const http = () => request(h.api.getHttpServer());
  const META_SECRET = 'meta-secret-0123456789abcdef';

  async function sink(behaviour?: ConstructorParameters<typeof WebhookSink>[0]): Promise<WebhookSink> {
    const s = new WebhookSink(behaviour);
    await s.start();
    sinks.push(s);
    return s;
  }

  async function project(metaUrl: string, types: string[]): Promise<Proj> {
    const res = await http()
      .post('/api/v1/projects')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({
        name: 'meta',
        type: 'outgoing',
        config: {
          ssl: { enforce_secure_endpoints: false },
          strategy: { type: 'linear', duration: 1, retry_count: 2 },
          meta_event: { is_enabled: true, type: 'http', url: metaUrl, event_type: types, secret: META_SECRET },
        },
      })
      .expect(201);
    return { id: res.body.data.project.uid, auth: { Authorization: `Bearer ${res.body.data.api_key.key}` } };
  }

  async function endpoint(p: Proj, url: string): Promise<string> {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: `ep-${url}`, url })
      .expect(201);
    const id = res.body.data.uid as string;
    await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: `sub-${id}`, endpoint_id: id, filter_config: { event_types: ['*'] } })
      .expect(201);
    return id;
  }

  async function metaEvents(p: Proj): Promise<MetaEvent[]> {
    return (await http().get(`/api/v1/projects/${p.id}/meta-events`).set(p.auth).expect(200)).body.data.content;
  }

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'], metaEventPollMs: 100 });
  });
  afterAll(async () => {
    for (const s of sinks) await s.stop();
    await h.close();
  });

  it('refuses meta-event URLs the SSRF policy denies, and keeps the secret sealed at rest', async () => {
    const base = { name: 'meta', type: 'outgoing', config: { meta_event: { is_enabled: true, type: 'http', event_type: ['endpoint.created'] } } };
    // write-time refusals only, of addresses that cannot leave the machine (the dial-time ones run in the netns suite)
    for (const url of ['http://metadata.google.internal/computeMetadata/v1/', 'http://0.0.0.0:9/hook']) {
      const res = await http()
        .post('/api/v1/projects')
        .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
        .send({ ...base, config: { meta_event: { ...base.config.meta_event, url } } });
      expect([url, res.status, res.body.code]).toEqual([url, 400, 'invalid_meta_event_url']);
    }
    const p = await project('http://127.0.0.1:9/meta', ['endpoint.created']);
    const db = new Client({ connectionString: h.db.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ secret: unknown }>(`SELECT config->'meta_event'->'secret' AS secret FROM projects WHERE id = $1`, [p.id]);
      expect(JSON.stringify(rows[0].secret)).not.toContain(META_SECRET);
      expect(rows[0].secret).toMatchObject({ kid: expect.any(String), ct: expect.any(String) });
    } finally {
      await db.end();
    }
  });

  it('sends endpoint and delivery meta events, signed with the meta secret', async () => {
    const meta = await sink();
    const p = await project(meta.url, ['endpoint.created', 'eventdelivery.success', 'eventdelivery.failed']);
    const ok = await sink();
    const okId = await endpoint(p, ok.url);
    await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: okId, event_type: 'a.b', data: { n: 1 } })
      .expect(201);
    await meta.waitFor((rs) => rs.length >= 2);
    const types = meta.receipts.map((r) => (JSON.parse(r.body) as { event_type: string }).event_type).sort();
    expect(types).toEqual(['endpoint.created', 'eventdelivery.success']);
    for (const r of meta.receipts) {
      expect(
        verifyConvoySignature({
          payload: r.body,
          header: r.headers['x-convoy-signature'],
          secret: META_SECRET,
          hash: 'SHA256',
          encoding: 'hex',
          advanced: true,
          toleranceSeconds: 300,
        }),
      ).toBe(true);
      expect(r.body).not.toContain('"secrets"');
    }
    const created = JSON.parse(meta.receipts.find((r) => r.body.includes('endpoint.created'))!.body) as { data: { uid: string } };
    expect(created.data.uid).toBe(okId);

    const listed = await waitUntil('both meta events to succeed', async () => {
      const l = await metaEvents(p);
      return l.length === 2 && l.every((m) => m.status === 'Success') && l;
    });
    const one = await http().get(`/api/v1/projects/${p.id}/meta-events/${listed[0].uid}`).set(p.auth).expect(200);
    expect(one.body.data.uid).toBe(listed[0].uid);
    expect(one.body.data.attempt.response_data).toContain('ok');
    expect(one.body.data.metadata.num_trials).toBe(1);
  });

  it('retries a failing meta URL and resends on request', async () => {
    let up = false;
    const meta = await sink(() => (up ? { status: 200 } : { status: 500 }));
    const p = await project(meta.url, ['endpoint.created']);
    const target = await sink();
    await endpoint(p, target.url);
    const [failed] = await waitUntil('the meta event to fail', async () => {
      const l = await metaEvents(p);
      return l[0]?.status === 'Failure' && l;
    });
    expect(meta.receipts.length).toBe(5);
    up = true;
    await http().put(`/api/v1/projects/${p.id}/meta-events/${failed.uid}/resend`).set(p.auth).expect(200);
    await meta.waitFor((rs) => rs.length === 6);
    await waitUntil('the resent meta event to succeed', async () => (await metaEvents(p))[0]?.status === 'Success');
  });

  it('announces an endpoint the gateway disabled', async () => {
    const meta = await sink();
    const p = await project(meta.url, ['endpoint.disabled']);
    const gone = await sink(() => ({ status: 410 }));
    const id = await endpoint(p, gone.url);
    await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: id, event_type: 'a.b', data: {} }).expect(201);
    const [r] = await meta.waitFor((rs) => rs.length >= 1);
    const body = JSON.parse(r.body) as { event_type: string; data: { uid: string; status: string; reason: string } };
    expect(body.event_type).toBe('endpoint.disabled');
    expect(body.data).toMatchObject({ uid: id, status: 'inactive' });
    expect(body.data.reason).toContain('410');
  });

  it('sends nothing for types the project did not choose, and 404s unknown ids', async () => {
    const meta = await sink();
    const p = await project(meta.url, ['endpoint.deleted']);
    const t = await sink();
    await endpoint(p, t.url);
    await new Promise((r) => setTimeout(r, 500));
    expect(meta.receipts).toHaveLength(0);
    await http().get(`/api/v1/projects/${p.id}/meta-events/01HZZZZZZZZZZZZZZZZZZZZZZZ`).set(p.auth).expect(404);
  });
});
