import request from 'supertest';
import { createTestProject, PipelineHarness, Sinks, startPipelineHarness, TestProject, waitUntil, WebhookSink } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

type Proj = TestProject;
type Delivery = { uid: string; status: string; endpoint_id: string };

/** Routing (broadcast, dynamic, filters) and the bulk recovery calls, end to end. */
describe('routing and recovery (e2e)', () => {
  let h: PipelineHarness;
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());

  const sink = (behaviour?: ConstructorParameters<typeof WebhookSink>[0]): Promise<WebhookSink> => sinks.start(behaviour);

  const project = (config: Record<string, unknown> = {}): Promise<TestProject> =>
    createTestProject(h.api.getHttpServer(), { strategy: { type: 'linear', duration: 1, retry_count: 1 }, ...config }, 'r');

  async function endpointWithSub(p: Proj, s: WebhookSink, filter_config: Record<string, unknown>): Promise<string> {
    const ep = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: `e${s.port}`, url: s.url })
      .expect(201);
    await http().post(`/api/v1/projects/${p.id}/subscriptions`).set(p.auth).send({ name: 's', endpoint_id: ep.body.data.uid, filter_config }).expect(201);
    return ep.body.data.uid as string;
  }

  async function deliveries(p: Proj, query: string): Promise<Delivery[]> {
    return (await http().get(`/api/v1/projects/${p.id}/eventdeliveries?${query}`).set(p.auth).expect(200)).body.data.content as Delivery[];
  }

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'] });
  });
  afterAll(async () => {
    await sinks.stopAll();
    await h.close();
  });

  it('broadcasts to every subscription of the type and applies body and header filters', async () => {
    const p = await project();
    const [all, paid, big, vip] = await Promise.all([sink(), sink(), sink(), sink()]);
    await endpointWithSub(p, all, { event_types: ['*'] });
    await endpointWithSub(p, paid, { event_types: ['invoice.paid'] });
    await endpointWithSub(p, big, { event_types: ['*'], filter: { body: { amount: { $gte: 1000 }, 'items.$.sku': 'gold' } } });
    await endpointWithSub(p, vip, { event_types: ['*'], filter: { headers: { 'X-Tier': 'vip' } } });

    const send = (event_type: string, data: object, custom_headers?: Record<string, string>) =>
      http().post(`/api/v1/projects/${p.id}/events/broadcast`).set(p.auth).send({ event_type, data, custom_headers }).expect(201);
    await send('invoice.paid', { amount: 5, items: [{ sku: 'tin' }] });
    await send('invoice.created', { amount: 5000, items: [{ sku: 'tin' }, { sku: 'gold' }] }, { 'X-TIER': 'vip' });
    await send('invoice.created', { amount: 5000, items: [{ sku: 'tin' }] });

    await all.waitFor((r) => r.length === 3);
    await paid.waitFor((r) => r.length === 1);
    await big.waitFor((r) => r.length === 1);
    await vip.waitFor((r) => r.length === 1);
    await new Promise((r) => setTimeout(r, 500));
    expect([all, paid, big, vip].map((s) => s.receipts.length)).toEqual([3, 1, 1, 1]);
    expect(JSON.parse(big.receipts[0].body)).toMatchObject({ amount: 5000 });
  });

  it('answers test_filter without storing anything', async () => {
    const p = await project();
    const res = await http()
      .post(`/api/v1/projects/${p.id}/subscriptions/test_filter`)
      .set(p.auth)
      .send({ request: { body: { amount: 50 } }, schema: { body: { amount: { $gt: 10 } } } })
      .expect(200);
    expect(res.body.data).toBe(true);
  });

  it('creates the endpoint and subscription for a dynamic event, and reuses them', async () => {
    const p = await project();
    const s = await sink();
    for (let i = 0; i < 2; i++) {
      await http()
        .post(`/api/v1/projects/${p.id}/events/dynamic`)
        .set(p.auth)
        .send({ url: `${s.url}/dyn`, event_type: 'user.created', data: { i } })
        .expect(201);
    }
    await s.waitFor((r) => r.length === 2);
    const eps = await http().get(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).expect(200);
    expect(eps.body.data.content).toHaveLength(1);
  });

  it('finds events by endpoint and pages them; replays a batch; resends failures in bulk; force-resends successes', async () => {
    const p = await project();
    let up = false;
    const s = await sink(() => ({ status: up ? 200 : 500 }));
    const endpointId = await endpointWithSub(p, s, { event_types: ['*'] });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (await http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: endpointId, event_type: 'e', data: { i } }).expect(201)).body.data
          .uid,
      );
    }
    const page1 = await http().get(`/api/v1/projects/${p.id}/events?endpointId=${endpointId}&perPage=3`).set(p.auth).expect(200);
    expect(page1.body.data.content.map((e: { uid: string }) => e.uid)).toEqual(ids.slice().reverse().slice(0, 3));
    const page2 = await http()
      .get(`/api/v1/projects/${p.id}/events?endpointId=${endpointId}&perPage=3&next_page_cursor=${page1.body.data.pagination.next_page_cursor}`)
      .set(p.auth)
      .expect(200);
    expect(page2.body.data.content.map((e: { uid: string }) => e.uid)).toEqual(ids.slice().reverse().slice(3));
    expect(page2.body.data.pagination.has_next_page).toBe(false);

    await waitUntil('all five to fail', async () => (await deliveries(p, 'status=Failure')).length === 5);
    up = true;
    const retry = await http().post(`/api/v1/projects/${p.id}/eventdeliveries/batchretry?status=Failure`).set(p.auth).expect(200);
    expect(retry.body.data.resent).toBe(5);
    await waitUntil('all five to succeed', async () => (await deliveries(p, 'status=Success')).length === 5);

    const count = await http().get(`/api/v1/projects/${p.id}/events/countbatchreplayevents?endpointId=${endpointId}`).set(p.auth).expect(200);
    expect(count.body.data.num).toBe(5);
    await http().post(`/api/v1/projects/${p.id}/events/batchreplay?endpointId=${endpointId}`).set(p.auth).expect(200);
    await waitUntil('ten successful deliveries', async () => (await deliveries(p, 'status=Success&perPage=50')).length === 10);

    const one = (await deliveries(p, 'status=Success&perPage=1'))[0];
    const before = s.receipts.length;
    const forced = await http()
      .post(`/api/v1/projects/${p.id}/eventdeliveries/forceresend`)
      .set(p.auth)
      .send({ ids: [one.uid, 'not-a-delivery'] })
      .expect(200);
    expect(forced.body.data).toEqual({ resent: 1, skipped: 1 });
    await s.waitFor((r) => r.length === before + 1);
  });
});
