import request from 'supertest';
import { verifyConvoySignature } from '../../libs/webhooks';
import { createTestProject, PipelineHarness, Sinks, startPipelineHarness, TestProject, waitUntil } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/**
 * Transform functions end to end: Convoy's two test_function routes, a subscription's
 * function checked when saved, and applied by the worker before signing, with real
 * PostgreSQL, Redis, sandbox threads and a loopback receiver.
 */
describe('transform functions (e2e)', () => {
  let h: PipelineHarness;
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());
  let p: TestProject;

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'] });
    p = await createTestProject(h.api.getHttpServer(), { strategy: { type: 'linear', duration: 1, retry_count: 2 } }, 'functions');
  });
  afterAll(async () => {
    await sinks.stopAll();
    await h.close();
  });

  const tryFunction = (route: 'subscriptions' | 'sources', body: Record<string, unknown>) =>
    http().post(`/api/v1/projects/${p.id}/${route}/test_function`).set(p.auth).send(body);

  describe('test_function', () => {
    it('runs the function on the sample payload and shows the result and the log', async () => {
      const fn = `function transform(payload) { console.log('amount', payload.amount); return { total: payload.amount * 2, currency: 'EUR' } }`;
      for (const route of ['subscriptions', 'sources'] as const) {
        const res = await tryFunction(route, { function: fn, payload: { amount: 21 } }).expect(200);
        expect(res.body).toEqual({
          status: true,
          message: 'Transformer function run successfully',
          data: { payload: { total: 42, currency: 'EUR' }, log: ['amount 21'] },
        });
      }
    });

    it('answers 400 with the engine’s message for a syntax error, a throw, a missing transform and an endless loop', async () => {
      const syntax = await tryFunction('subscriptions', { function: 'function transform(p) { return p', payload: {} }).expect(400);
      expect(syntax.body).toMatchObject({ status: false, code: 'function_error', message: expect.stringMatching(/^SyntaxError: /) as unknown });
      const thrown = await tryFunction('subscriptions', { function: `function transform(p) { throw new Error('no amount') }`, payload: {} }).expect(400);
      expect(thrown.body).toMatchObject({ code: 'function_error', message: expect.stringMatching(/^Error: no amount/) as unknown });
      const missing = await tryFunction('sources', { function: 'function run(p) { return p }', payload: {} }).expect(400);
      expect(missing.body).toMatchObject({
        code: 'function_missing_transform',
        message: 'the transform function is not found, please define it or rename the existing function',
      });
      const loop = await tryFunction('subscriptions', { function: 'function transform(p) { for (;;) {} }', payload: {} }).expect(400);
      expect(loop.body.code).toBe('function_timeout');
    });

    it('checks the request: function is required, payload must be an object', async () => {
      const none = await tryFunction('subscriptions', { payload: {} }).expect(400);
      expect(none.body.message).toContain('function');
      const arr = await tryFunction('subscriptions', { function: 'function transform(p) { return p }', payload: [1] }).expect(400);
      expect(arr.body.message).toContain('payload');
    });

    it('for a source body function, wants an event Caravan can ingest', async () => {
      const event = `function transform(p) { return { event_type: p.kind, data: p.body, custom_headers: { 'x-from': 'source' } } }`;
      const good = await tryFunction('sources', { function: event, payload: { kind: 'order.created', body: { id: 1 } }, type: 'body' }).expect(200);
      expect(good.body.data.payload).toEqual({ event_type: 'order.created', data: { id: 1 }, custom_headers: { 'x-from': 'source' } });
      const noType = await tryFunction('sources', { function: 'function transform(p) { return { data: p } }', payload: {}, type: 'body' }).expect(400);
      expect(noType.body).toMatchObject({ code: 'function_invalid_event', message: "the output payload doesn't include an event type" });
      const extra = await tryFunction('sources', {
        function: 'function transform(p) { return { event_type: "a", data: 1, x: 1 } }',
        payload: {},
        type: 'body',
      }).expect(400);
      expect(extra.body.message).toBe('the output payload has unknown fields: x');
      // a header function's result is not an event
      await tryFunction('sources', { function: 'function transform(h) { return { ...h, x: "1" } }', payload: { a: 'b' }, type: 'header' }).expect(200);
    });

    it("answers 404 for another project's id, on both routes", async () => {
      const other = await createTestProject(h.api.getHttpServer(), {}, 'other');
      for (const route of ['subscriptions', 'sources']) {
        await http()
          .post(`/api/v1/projects/${other.id}/${route}/test_function`)
          .set(p.auth)
          .send({ function: 'function transform(p) { return p }', payload: {} })
          .expect(404);
      }
    });
  });

  describe('a subscription with a function', () => {
    async function endpoint(url: string): Promise<{ uid: string; secret: string }> {
      const res = await http()
        .post(`/api/v1/projects/${p.id}/endpoints`)
        .set(p.auth)
        .send({ name: `ep-${url}`, url, advanced_signatures: true })
        .expect(201);
      const secrets = res.body.data.secrets as { value: string }[];
      return { uid: res.body.data.uid as string, secret: secrets[secrets.length - 1].value };
    }

    it('is refused when the function does not run, naming the field', async () => {
      const s = await sinks.start();
      const ep = await endpoint(s.url);
      const bad = await http()
        .post(`/api/v1/projects/${p.id}/subscriptions`)
        .set(p.auth)
        .send({ name: 'bad', endpoint_id: ep.uid, function: 'function transform(p) { return p' })
        .expect(400);
      expect(bad.body).toMatchObject({ code: 'invalid_function', message: expect.stringMatching(/^function: SyntaxError: /) as unknown });
      const missing = await http()
        .post(`/api/v1/projects/${p.id}/subscriptions`)
        .set(p.auth)
        .send({ name: 'bad', endpoint_id: ep.uid, function: 'const x = 1' })
        .expect(400);
      expect(missing.body.message).toBe('function: the transform function is not found, please define it or rename the existing function');
      const big = await http()
        .post(`/api/v1/projects/${p.id}/subscriptions`)
        .set(p.auth)
        .send({ name: 'bad', endpoint_id: ep.uid, function: `function transform(p) { return p } //${'x'.repeat(70_000)}` })
        .expect(400);
      expect(big.body.message).toBe('function: the function is larger than 65536 bytes');
      const list = await http().get(`/api/v1/projects/${p.id}/subscriptions?endpointId=${ep.uid}`).set(p.auth).expect(200);
      expect(list.body.data.content).toEqual([]);
    });

    it('reaches the receiver transformed, signed over the transformed body', async () => {
      const s = await sinks.start();
      const ep = await endpoint(s.url);
      const fn = `function transform(payload) { delete payload.card; payload.amount_cents = payload.amount * 100; return payload }`;
      const sub = await http()
        .post(`/api/v1/projects/${p.id}/subscriptions`)
        .set(p.auth)
        .send({ name: 'masked', endpoint_id: ep.uid, function: fn })
        .expect(201);
      expect(sub.body.data.function).toBe(fn);
      await http()
        .post(`/api/v1/projects/${p.id}/events`)
        .set(p.auth)
        .send({ endpoint_id: ep.uid, event_type: 'invoice.paid', data: { amount: 42, card: '4242424242424242' } })
        .expect(201);
      const [r] = await s.waitFor((rs) => rs.length >= 1);
      expect(JSON.parse(r.body)).toEqual({ amount: 42, amount_cents: 4200 });
      const verify = { header: r.headers['x-convoy-signature'], secret: ep.secret, hash: 'SHA256', encoding: 'hex', advanced: true } as const;
      expect(verifyConvoySignature({ ...verify, payload: r.body })).toBe(true);
      expect(verifyConvoySignature({ ...verify, payload: '{"amount":42,"card":"4242424242424242"}' })).toBe(false);

      // an update with Convoy's empty string keeps the function; null removes it
      const kept = await http()
        .put(`/api/v1/projects/${p.id}/subscriptions/${sub.body.data.uid}`)
        .set(p.auth)
        .send({ name: 'masked', function: '' })
        .expect(202);
      expect(kept.body.data.function).toBe(fn);
      const removed = await http().put(`/api/v1/projects/${p.id}/subscriptions/${sub.body.data.uid}`).set(p.auth).send({ function: null }).expect(202);
      expect(removed.body.data.function).toBeNull();
    });

    it('makes a throwing function a failed attempt per the retry policy, and nothing is sent', async () => {
      const s = await sinks.start();
      const ep = await endpoint(s.url);
      await http()
        .post(`/api/v1/projects/${p.id}/subscriptions`)
        .set(p.auth)
        .send({ name: 'throws', endpoint_id: ep.uid, function: `function transform(p) { if (!p.ok) throw new Error('not ok'); return p }` })
        .expect(201);
      const ev = await http()
        .post(`/api/v1/projects/${p.id}/events`)
        .set(p.auth)
        .send({ endpoint_id: ep.uid, event_type: 'invoice.paid', data: { ok: false } })
        .expect(201);
      const eventId = ev.body.data.uid as string;
      // retry_count 2: the first attempt and one retry a second later, then Failure
      const delivery = await waitUntil(
        'the delivery to fail',
        async () => {
          const res = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?eventId=${eventId}`).set(p.auth).expect(200);
          const [d] = res.body.data.content as { uid: string; status: string; metadata: { num_trials: number } }[];
          return d?.status === 'Failure' ? d : undefined;
        },
        20_000,
      );
      expect(delivery.metadata.num_trials).toBe(2);
      const attempts = await http().get(`/api/v1/projects/${p.id}/eventdeliveries/${delivery.uid}/deliveryattempts`).set(p.auth).expect(200);
      const list = attempts.body.data as { error: string; http_status: string }[];
      expect(list).toHaveLength(2);
      expect(list[0].error).toContain('Error: not ok');
      expect(s.receipts).toHaveLength(0);
      const endpointNow = await http().get(`/api/v1/projects/${p.id}/endpoints/${ep.uid}`).set(p.auth).expect(200);
      expect(endpointNow.body.data.status).toBe('active');
    });
  });
});
