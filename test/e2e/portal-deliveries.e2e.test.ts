import request from 'supertest';
import { createTestProject, PipelineHarness, Sinks, startPipelineHarness, TestProject } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/**
 * The portal's recovery routes on real failed deliveries: two owners' endpoints answer
 * 500 until their deliveries end Failure; each owner's token retries only its own.
 */
describe('portal deliveries (e2e)', () => {
  let h: PipelineHarness;
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  let p: TestProject;

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'] });
    p = await createTestProject(h.api.getHttpServer(), { strategy: { type: 'linear', duration: 1, retry_count: 1 } });
  });
  afterAll(async () => {
    await sinks.stopAll();
    await h?.close();
  });

  async function failedDelivery(owner: string, url: string): Promise<{ endpoint: string; delivery: string; token: string }> {
    const ep = await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: owner, url, owner_id: owner }).expect(201);
    const ev = await http()
      .post(`/api/v1/projects/${p.id}/events`)
      .set(p.auth)
      .send({ endpoint_id: ep.body.data.uid, event_type: 'x', data: { owner } })
      .expect(201);
    const link = await http().post(`/api/v1/projects/${p.id}/portal-links`).set(p.auth).send({ name: owner, owner_id: owner }).expect(201);
    const token = link.body.data.token as string;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const list = await http().get(`/portal-api/eventdeliveries?eventId=${ev.body.data.uid}`).set(bearer(token)).expect(200);
      const d = list.body.data.content[0] as { uid: string; status: string } | undefined;
      if (d?.status === 'Failure') return { endpoint: ep.body.data.uid as string, delivery: d.uid, token };
      if (Date.now() > deadline) throw new Error(`delivery of ${owner} did not fail in time: ${JSON.stringify(d)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it("retries only the owner's failed deliveries and shows only its attempts", async () => {
    const bad = await sinks.start(() => ({ status: 500 }));
    const a = await failedDelivery('owner-a', `${bad.url}/a`);
    const b = await failedDelivery('owner-b', `${bad.url}/b`);

    const attempts = await http().get(`/portal-api/eventdeliveries/${a.delivery}/deliveryattempts`).set(bearer(a.token)).expect(200);
    expect(attempts.body.data.length).toBeGreaterThanOrEqual(1);
    expect(attempts.body.data[0]).toMatchObject({ endpoint_id: a.endpoint, http_status: '500' });
    const attemptId = attempts.body.data[0].uid as string;
    await http().get(`/portal-api/eventdeliveries/${a.delivery}/deliveryattempts/${attemptId}`).set(bearer(a.token)).expect(200);
    await http().get(`/portal-api/eventdeliveries/${a.delivery}/deliveryattempts/${attemptId}`).set(bearer(b.token)).expect(404);
    await http().get(`/portal-api/eventdeliveries/${a.delivery}/deliveryattempts`).set(bearer(b.token)).expect(404);

    // a batch retry from A's portal, even one that names B's endpoint, resends A's delivery only
    const retried = await http().post(`/portal-api/eventdeliveries/batchretry?endpointId=${b.endpoint}`).set(bearer(a.token)).expect(200);
    expect(retried.body.data).toEqual({ resent: 0 });
    expect((await http().post('/portal-api/eventdeliveries/batchretry').set(bearer(a.token)).expect(200)).body.data).toEqual({ resent: 1 });
    const bNow = await http().get(`/api/v1/projects/${p.id}/eventdeliveries/${b.delivery}`).set(p.auth).expect(200);
    expect(bNow.body.data.status).toBe('Failure');

    await http().put(`/portal-api/eventdeliveries/${b.delivery}/resend`).set(bearer(a.token)).expect(404);
    const resent = await http().put(`/portal-api/eventdeliveries/${b.delivery}/resend`).set(bearer(b.token)).expect(200);
    expect(resent.body.data.uid).toBe(b.delivery);
    expect(['Retry', 'Processing', 'Failure']).toContain(resent.body.data.status);
    // the resent delivery is attempted again
    const deadline = Date.now() + 20_000;
    let n = 0;
    while (Date.now() < deadline) {
      n = (await http().get(`/portal-api/eventdeliveries/${b.delivery}/deliveryattempts`).set(bearer(b.token)).expect(200)).body.data.length as number;
      if (n >= 2) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(n).toBeGreaterThanOrEqual(2);
  });
});
