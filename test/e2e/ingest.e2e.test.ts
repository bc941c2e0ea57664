import { createHmac, randomBytes } from 'node:crypto';
import request from 'supertest';
import { PipelineHarness, Sinks, startPipelineHarness, TEST_ADMIN_KEY, waitUntil, WebhookSink } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/**
 * Incoming webhooks through the real api and worker: a provider signs a request the way
 * its documentation says, /ingest verifies and stores it, and the worker delivers it to
 * the endpoint subscribed to the source.
 */
describe('incoming webhooks (e2e)', () => {
  let h: PipelineHarness;
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());
  type Project = { id: string; auth: Record<string, string> };

  async function incomingProject(config: Record<string, unknown> = {}): Promise<Project> {
    const res = await http()
      .post('/api/v1/projects')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({ name: 'inbound', type: 'incoming', config: { ssl: { enforce_secure_endpoints: false }, ...config } })
      .expect(201);
    return { id: res.body.data.project.uid, auth: { Authorization: `Bearer ${res.body.data.api_key.key}` } };
  }

  async function source(p: Project, body: Record<string, unknown>): Promise<{ uid: string; mask_id: string }> {
    return (
      await http()
        .post(`/api/v1/projects/${p.id}/sources`)
        .set(p.auth)
        .send({ name: 'src', type: 'http', ...body })
        .expect(201)
    ).body.data;
  }

  /** An endpoint on a fresh sink, subscribed to the source. */
  async function subscribedSink(p: Project, sourceId: string, filter?: Record<string, unknown>): Promise<WebhookSink> {
    const s = await sinks.start();
    const ep = await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'ep', url: s.url }).expect(201);
    await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 'sub', endpoint_id: ep.body.data.uid, source_id: sourceId, filter_config: { event_types: ['*'], ...(filter ? { filter } : {}) } })
      .expect(201);
    return s;
  }

  async function eventsOf(
    p: Project,
    sourceId: string,
  ): Promise<{ uid: string; event_type: string; url_query_params: string; url_path: string; headers: Record<string, string[]> }[]> {
    return (await http().get(`/api/v1/projects/${p.id}/events?sourceId=${sourceId}`).set(p.auth).expect(200)).body.data.content;
  }

  const githubSignature = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'] });
  });
  afterAll(async () => {
    await sinks.stopAll();
    await h.close();
  });

  it('delivers a GitHub-signed request to the endpoint of its source, with forwarded headers and X-Convoy-Source-Id', async () => {
    const p = await incomingProject();
    const gh = await source(p, {
      provider: 'github',
      verifier: { type: 'hmac', hmac: { secret: 'gh-secret' } },
      event_type_location: 'request.body.action',
      forward_headers: ['X-GitHub-Delivery', 'X-GitHub-Event'],
    });
    const other = await source(p, { name: 'other' });
    const target = await subscribedSink(p, gh.uid);
    const bystander = await subscribedSink(p, other.uid);

    // spacing and key order as GitHub sent them: the signature covers these bytes
    const body = '{"action":"opened",  "number": 7, "repository": {"full_name": "acme/app"}}';
    const res = await http()
      .post(`/ingest/${gh.mask_id}?ref=main`)
      .set('Content-Type', 'application/json')
      .set('X-GitHub-Event', 'pull_request')
      .set('X-GitHub-Delivery', 'd-1')
      .set('X-Hub-Signature-256', githubSignature('gh-secret', body))
      .set('Authorization', 'Bearer not-forwarded')
      .send(body)
      .expect(200);
    expect(res.body).toEqual({ status: true, message: 'Event received', data: Buffer.byteLength(body) });

    const [r] = await target.waitFor((rs) => rs.length >= 1);
    expect(r.body).toBe(body);
    expect(r.headers['x-github-delivery']).toBe('d-1');
    expect(r.headers['x-github-event']).toBe('pull_request');
    expect(r.headers['x-convoy-source-id']).toBe(gh.mask_id);
    expect(r.headers.authorization).toBeUndefined();
    expect(r.headers['x-hub-signature-256']).toBeUndefined();

    const [ev] = await eventsOf(p, gh.uid);
    expect(ev.event_type).toBe('opened');
    expect(ev.url_query_params).toBe('ref=main');
    expect(ev.url_path).toBe(`/ingest/${gh.mask_id}`);
    const one = await http().get(`/api/v1/projects/${p.id}/events/${ev.uid}`).set(p.auth).expect(200);
    expect(one.body.data.source_metadata).toMatchObject({ uid: gh.uid, mask_id: gh.mask_id });
    expect(one.body.data.headers['x-convoy-source-id']).toEqual([gh.mask_id]);
    expect(one.body.data.headers['x-github-delivery']).toEqual(['d-1']);
    expect(bystander.receipts).toHaveLength(0);
  });

  it("routes by the request's headers, query and path through the subscriptions' filters", async () => {
    const p = await incomingProject();
    const s = await source(p, {});
    const byHeader = await subscribedSink(p, s.uid, { headers: { 'x-shop-topic': 'orders/create' } });
    const byQuery = await subscribedSink(p, s.uid, { query: { ref: 'main' } });
    const byPath = await subscribedSink(p, s.uid, { path: { path: `/ingest/${s.mask_id}` } });
    const byBody = await subscribedSink(p, s.uid, { body: { kind: 'refund' } });
    await http().post(`/ingest/${s.mask_id}?ref=dev`).set('X-Shop-Topic', 'orders/create').send({ kind: 'order' }).expect(200);
    await byHeader.waitFor((rs) => rs.length >= 1);
    await byPath.waitFor((rs) => rs.length >= 1);
    await http().post(`/ingest/${s.mask_id}?ref=main`).send({ kind: 'refund' }).expect(200);
    await byQuery.waitFor((rs) => rs.length >= 1);
    await byBody.waitFor((rs) => rs.length >= 1);
    await byPath.waitFor((rs) => rs.length >= 2);
    expect(byHeader.receipts).toHaveLength(1);
    expect(byQuery.receipts).toHaveLength(1);
    expect(JSON.parse(byBody.receipts[0].body)).toEqual({ kind: 'refund' });

    // a replay routes again with the query and path the request had
    const refund = (await eventsOf(p, s.uid)).find((e) => e.url_query_params === 'ref=main');
    await http().put(`/api/v1/projects/${p.id}/events/${refund!.uid}/replay`).set(p.auth).expect(200);
    await byQuery.waitFor((rs) => rs.length >= 2);
    await byPath.waitFor((rs) => rs.length >= 3);
    await byBody.waitFor((rs) => rs.length >= 2);
  });

  it('refuses a bad, a missing or a re-serialised signature with 400 and stores nothing', async () => {
    const p = await incomingProject();
    const gh = await source(p, { provider: 'github', verifier: { type: 'hmac', hmac: { secret: 'gh-secret' } } });
    const body = '{"zen":"Keep it logically awesome."}';
    for (const sig of [githubSignature('wrong', body), undefined, githubSignature('gh-secret', JSON.stringify(JSON.parse(body), null, 1))]) {
      const req = http().post(`/ingest/${gh.mask_id}`).set('Content-Type', 'application/json');
      if (sig) void req.set('X-Hub-Signature-256', sig);
      const res = await req.send(body).expect(400);
      expect(res.body).toMatchObject({ status: false, message: 'Request verification failed' });
    }
    expect(await eventsOf(p, gh.uid)).toHaveLength(0);
  });

  it('verifies Shopify (base64) and basic-auth senders', async () => {
    const p = await incomingProject();
    const shop = await source(p, { provider: 'shopify', verifier: { type: 'hmac', hmac: { secret: 'shpss' } } });
    const body = '{"id":820982911946154500,"email":"jon@example.com"}';
    const sig = createHmac('sha256', 'shpss').update(body).digest('base64');
    await http().post(`/ingest/${shop.mask_id}`).set('Content-Type', 'application/json').set('X-Shopify-Hmac-Sha256', sig).send(body).expect(200);
    await http()
      .post(`/ingest/${shop.mask_id}`)
      .set('Content-Type', 'application/json')
      .set('X-Shopify-Hmac-Sha256', `${sig.slice(0, -4)}AAA=`)
      .send(body)
      .expect(400);

    const basic = await source(p, { verifier: { type: 'basic_auth', basic_auth: { username: 'u', password: 'p' } } });
    await http().post(`/ingest/${basic.mask_id}`).auth('u', 'p').send({ a: 1 }).expect(200);
    await http().post(`/ingest/${basic.mask_id}`).auth('u', 'q').send({ a: 1 }).expect(400);
  });

  it('dedupes by the idempotency selectors: a repeat is answered and not sent again', async () => {
    const p = await incomingProject();
    const s = await source(p, { idempotency_keys: ['request.header.X-Delivery-Id', 'request.body.id'] });
    const sink = await subscribedSink(p, s.uid);
    const send = (delivery: string, id: number) => http().post(`/ingest/${s.mask_id}`).set('X-Delivery-Id', delivery).send({ id });
    expect((await send('a', 1).expect(200)).body.message).toBe('Event received');
    expect((await send('a', 1).expect(200)).body.message).toBe('Duplicate event received, but will not be sent');
    expect((await send('a', 2).expect(200)).body.message).toBe('Event received');
    await sink.waitFor((rs) => rs.length >= 2);
    await waitUntil('both events stored', async () => (await eventsOf(p, s.uid)).length === 2);
    expect(sink.receipts).toHaveLength(2);
  });

  it('turns form bodies into a flat JSON object and answers with the custom response', async () => {
    const p = await incomingProject();
    const s = await source(p, { custom_response: { body: 'thanks', content_type: 'text/plain' }, event_type_location: 'request.body.topic' });
    const sink = await subscribedSink(p, s.uid);
    const res = await http().post(`/ingest/${s.mask_id}`).type('form').send('topic=order.paid&amount=12&amount=13').expect(200);
    expect(res.text).toBe('thanks');
    expect(res.headers['content-type']).toContain('text/plain');
    const multi = await http().post(`/ingest/${s.mask_id}`).field('topic', 'order.shipped').field('carrier', 'ups').expect(200);
    expect(multi.text).toBe('thanks');
    const got = await sink.waitFor((rs) => rs.length >= 2);
    const bodies = got.map((r) => JSON.parse(r.body) as Record<string, string>).sort((a, b) => a.topic.localeCompare(b.topic));
    expect(bodies).toEqual([
      { topic: 'order.paid', amount: '12' },
      { topic: 'order.shipped', carrier: 'ups' },
    ]);
    // an empty body is {}
    await http().post(`/ingest/${s.mask_id}`).expect(400); // no topic: the event type is not found
    const plain = await source(p, { name: 'plain' });
    const emptySink = await subscribedSink(p, plain.uid);
    await http().post(`/ingest/${plain.mask_id}`).expect(200);
    const [e] = await emptySink.waitFor((rs) => rs.length >= 1);
    expect(e.body).toBe('{}');
  });

  it("answers 413 past the project's max_payload_read_size, counted on the streamed bytes", async () => {
    const p = await incomingProject({ max_payload_read_size: 2048 });
    const s = await source(p, {});
    const big = JSON.stringify({ pad: 'x'.repeat(4096) });
    await http().post(`/ingest/${s.mask_id}`).set('Content-Type', 'application/json').send(big).expect(413);
    // chunked: no Content-Length to trust
    const res = await new Promise<number>((resolve, reject) => {
      const r = http().post(`/ingest/${s.mask_id}`).set('Content-Type', 'application/json').set('Transfer-Encoding', 'chunked');
      r.write(big.slice(0, 2000));
      r.write(big.slice(2000));
      r.end((err: Error | null, out) => (out ? resolve(out.status) : reject(err ?? new Error('no answer'))));
    });
    expect(res).toBe(413);
    await http().post(`/ingest/${s.mask_id}`).send({ small: true }).expect(200);
    expect(await eventsOf(p, s.uid)).toHaveLength(1);
  });

  it('holds incoming bodies to the same guards as the API: UTF-8, JSON, depth, no U+0000', async () => {
    const p = await incomingProject();
    const s = await source(p, {});
    const post = (body: string | Buffer) => http().post(`/ingest/${s.mask_id}`).set('Content-Type', 'application/json').send(body);
    // any content type other than a form is read as JSON, as Convoy does (and supertest sends a Buffer as is only then)
    const badUtf8 = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]);
    expect((await http().post(`/ingest/${s.mask_id}`).set('Content-Type', 'text/plain').send(badUtf8).expect(400)).body.code).toBe('invalid_utf8');
    expect((await post('{"a":').expect(400)).body.code).toBe('invalid_json');
    expect((await post('{"a":"\\u0000"}').expect(400)).body.status).toBe(false);
    expect((await post(`${'{"a":'.repeat(70)}1${'}'.repeat(70)}`).expect(400)).body.status).toBe(false);
    expect(await eventsOf(p, s.uid)).toHaveLength(0);
  });

  it('answers 404 for an unknown or disabled mask', async () => {
    const p = await incomingProject();
    const s = await source(p, {});
    await http().post('/ingest/NoSuchMask000000').send({ a: 1 }).expect(404);
    // a malformed escape is a bad URL, never an error of ours
    await http().post('/ingest/%E0%A4%A').send({ a: 1 }).expect(400);
    await http().put(`/api/v1/projects/${p.id}/sources/${s.uid}`).set(p.auth).send({ is_disabled: true }).expect(202);
    const res = await http().post(`/ingest/${s.mask_id}`).send({ a: 1 }).expect(404);
    expect(res.body).toMatchObject({ status: false, message: 'Resource not found' });
  });

  it("answers 429 with Retry-After past the source's rate limit", async () => {
    const p = await incomingProject();
    const s = await source(p, { rate_limit: 2, rate_limit_duration: 60 });
    await http().post(`/ingest/${s.mask_id}`).send({ n: 1 }).expect(200);
    await http().post(`/ingest/${s.mask_id}`).send({ n: 2 }).expect(200);
    const res = await http().post(`/ingest/${s.mask_id}`).send({ n: 3 }).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // another source is not held back
    const t = await source(p, { name: 'other' });
    await http().post(`/ingest/${t.mask_id}`).send({ n: 1 }).expect(200);
  });

  it('refuses a repeated Standard Webhooks signature when the project prevents replays', async () => {
    const p = await incomingProject({ replay_attacks_prevention_enabled: true });
    const key = randomBytes(32);
    const s = await source(p, { verifier: { type: 'hmac', hmac: { scheme: 'standard_webhooks', secret: `whsec_${key.toString('base64')}` } } });
    const body = '{"type":"user.created"}';
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = `v1,${createHmac('sha256', key).update(`msg_1.${ts}.${body}`).digest('base64')}`;
    const send = () =>
      http()
        .post(`/ingest/${s.mask_id}`)
        .set('Content-Type', 'application/json')
        .set({ 'webhook-id': 'msg_1', 'webhook-timestamp': ts, 'webhook-signature': sig })
        .send(body);
    await send().expect(200);
    expect((await send().expect(400)).body.message).toBe('Request verification failed');
    expect(await eventsOf(p, s.uid)).toHaveLength(1);
  });

  it('takes a Stripe-style t=…,v1=… signature inside its tolerance and refuses an expired one', async () => {
    const p = await incomingProject();
    const s = await source(p, {
      verifier: { type: 'hmac', hmac: { scheme: 'timestamped', header: 'Stripe-Signature', secret: 'whsec_stripe', tolerance: 60 } },
    });
    const body = '{"id":"evt_1","type":"charge.succeeded"}';
    const signed = (t: number) => `t=${t},v1=${createHmac('sha256', 'whsec_stripe').update(`${t}.${body}`).digest('hex')}`;
    const now = Math.floor(Date.now() / 1000);
    const post = (sig: string) => http().post(`/ingest/${s.mask_id}`).set('Content-Type', 'application/json').set('Stripe-Signature', sig).send(body);
    await post(signed(now)).expect(200);
    await post(signed(now - 3600)).expect(400);
    expect(await eventsOf(p, s.uid)).toHaveLength(1);
  });

  it("answers Twitter's CRC check", async () => {
    const p = await incomingProject();
    const s = await source(p, { provider: 'twitter', verifier: { type: 'hmac', hmac: { secret: 'consumer-secret' } } });
    const res = await http().get(`/ingest/${s.mask_id}?crc_token=abc123`).expect(200);
    expect(res.body).toEqual({ response_token: `sha256=${createHmac('sha256', 'consumer-secret').update('abc123').digest('base64')}` });
    const got = await http().get(`/api/v1/projects/${p.id}/sources/${s.uid}`).set(p.auth).expect(200);
    expect(got.body.data.provider_config.twitter.crc_verified_at).toBeTruthy();
    await http().get(`/ingest/${s.mask_id}`).expect(400);
  });
});
