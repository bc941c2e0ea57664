import request from 'supertest';
import { verifyConvoySignature } from '../../libs/webhooks';
import { createTestProject, PipelineHarness, Sinks, startPipelineHarness } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/**
 * Receivers get exactly the bytes of `data` the producer sent, signed as sent: parsing
 * would round integers above 2^53 and drop keys such as `__proto__` and `constructor`.
 */
describe('payload fidelity (e2e)', () => {
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

  it('delivers and stores data byte for byte, and signs those bytes', async () => {
    const sink = await sinks.start();
    const p = await createTestProject(h.api.getHttpServer());
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: 'exact', url: `${sink.url}/hook` })
      .expect(201);
    const endpointId = ep.body.data.uid as string;
    const secret = (ep.body.data.secrets as { value: string }[]).at(-1)!.value;
    await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 'all', endpoint_id: endpointId, filter_config: { event_types: ['*'], filter: { body: { kind: 'big' } } } })
      .expect(201);

    const data =
      '{ "kind":"big", "id": 9007199254740993, "amount": 1.10, "__proto__": {"admin": true}, "constructor": {"prototype": {}}, "toString": "x", "valueOf": 1, "hasOwnProperty": [], "nested": {"constructor": "c"} }';
    const body = `{"endpoint_id":"${endpointId}","event_type":"invoice.paid","data":${data}}`;
    const res = await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).set('Content-Type', 'application/json').send(body).expect(201);
    expect(res.body.data.raw).toBe(data);

    const [r] = await sink.waitFor((x) => x.length === 1);
    expect(r.body).toBe(data);
    expect(verifyConvoySignature({ payload: r.body, header: r.headers['x-convoy-signature'], secret, hash: 'SHA256', encoding: 'hex', advanced: true })).toBe(
      true,
    );

    const read = await http().get(`/api/v1/projects/${p.id}/events/${res.body.data.uid}`).set(p.auth).expect(200);
    expect(read.body.data.raw).toBe(data);
  });
});
