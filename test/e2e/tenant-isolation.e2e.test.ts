import request from 'supertest';
import { createTestProject, PipelineHarness, Sinks, startPipelineHarness, TestProject } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/** An endpoint with a catch-all subscription. */
async function createEndpoint(http: () => ReturnType<typeof request>, p: TestProject, url: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await http()
    .post(`/api/v1/projects/${p.id}/endpoints`)
    .set(p.auth)
    .send({ name: `ep-${Math.random()}`, url, ...extra })
    .expect(201);
  await http()
    .post(`/api/v1/projects/${p.id}/subscriptions`)
    .set(p.auth)
    .send({ name: `sub-${res.body.data.uid}`, endpoint_id: res.body.data.uid, filter_config: { event_types: ['*'] } })
    .expect(201);
  return res.body.data.uid as string;
}

/**
 * Two tenants on one worker: a hostile one points endpoints that ask for 10,000 concurrent
 * sends at a receiver that never answers and floods them, then a normal tenant sends one
 * event to a fast receiver. The normal delivery must not wait behind the hostile backlog or
 * for the hostile sends to time out.
 */
describe('tenant isolation (e2e)', () => {
  let h: PipelineHarness;
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());
  const HANG_TIMEOUT_S = 20;

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, {
      egressAllow: ['127.0.0.0/8'],
      workerConcurrency: 4,
      endpointMaxConcurrency: 3,
      sweepIntervalMs: 500,
    });
  });
  afterAll(async () => {
    await sinks.stopAll();
    await h?.close();
  });

  const endpoint = (p: TestProject, url: string, extra: Record<string, unknown> = {}): Promise<string> => createEndpoint(http, p, url, extra);

  it("delivers a normal tenant's event promptly next to a hostile tenant's hanging backlog", async () => {
    const hanging = await sinks.start(() => 'hang');
    const fast = await sinks.start();
    const hostile = await createTestProject(h.api.getHttpServer(), { strategy: { type: 'linear', duration: 60, retry_count: 1 } }, 'hostile');
    const normal = await createTestProject(h.api.getHttpServer(), {}, 'normal');
    const greedy = [
      await endpoint(hostile, `${hanging.url}/a`, { max_concurrency: 10_000, http_timeout: HANG_TIMEOUT_S }),
      await endpoint(hostile, `${hanging.url}/b`, { max_concurrency: 10_000, http_timeout: HANG_TIMEOUT_S }),
    ];
    const mine = await endpoint(normal, `${fast.url}/hook`);

    for (let i = 0; i < 40; i++) {
      await http()
        .post(`/api/v1/projects/${hostile.id}/events`)
        .set(hostile.auth)
        .send({ endpoint_id: greedy[i % 2], event_type: 'flood', data: { i } })
        .expect(201);
    }
    // the hostile sends have taken what they may of the worker's slots
    await hanging.waitFor((r) => r.length >= 3, 10_000);

    const sentAt = Date.now();
    await http()
      .post(`/api/v1/projects/${normal.id}/events`)
      .set(normal.auth)
      .send({ endpoint_id: mine, event_type: 'invoice.paid', data: { n: 1 } })
      .expect(201);
    await fast.waitFor((r) => r.length === 1, 15_000);
    const waited = Date.now() - sentAt;

    // before the fix it waited for the hostile sends to time out (20 s); a generous bound
    // that a busy machine still meets
    expect(waited).toBeLessThan((HANG_TIMEOUT_S * 1000) / 2);
    // and no hostile endpoint ever had more in flight than the operator's cap
    const perEndpoint = (path: string) => hanging.receipts.filter((r) => r.path === path).length;
    expect(perEndpoint('/a')).toBeLessThanOrEqual(3);
    expect(perEndpoint('/b')).toBeLessThanOrEqual(3);
    // let the hanging sends fail now rather than at their timeout
    await hanging.stop();
  });
});

describe('tenant isolation: queue order (e2e)', () => {
  let h: PipelineHarness;
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, {
      egressAllow: ['127.0.0.0/8'],
      workerConcurrency: 4,
      sweepIntervalMs: 500,
      apiRateLimit: 0,
      ingestRateLimit: 0,
    });
  });
  afterAll(async () => {
    await sinks.stopAll();
    await h?.close();
  });

  const endpoint = (p: TestProject, url: string): Promise<string> => createEndpoint(http, p, url);

  it("puts a normal tenant's event ahead of a hostile tenant's backlog", async () => {
    const flooded = await sinks.start();
    const fast = await sinks.start();
    const hostile = await createTestProject(h.api.getHttpServer(), {}, 'flooder');
    const normal = await createTestProject(h.api.getHttpServer(), {}, 'normal-2');
    const target = await endpoint(hostile, `${flooded.url}/flood`);
    const mine = await endpoint(normal, `${fast.url}/hook`);

    // the backlog builds while no worker runs, so the order in the queue is all that counts
    await h.stopWorker();
    const FLOOD = 600;
    for (let i = 0; i < FLOOD; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, k) =>
          http()
            .post(`/api/v1/projects/${hostile.id}/events`)
            .set(hostile.auth)
            .send({ endpoint_id: target, event_type: 'flood', data: { i: i + k } })
            .expect(201),
        ),
      );
    }
    await http()
      .post(`/api/v1/projects/${normal.id}/events`)
      .set(normal.auth)
      .send({ endpoint_id: mine, event_type: 'invoice.paid', data: { n: 2 } })
      .expect(201);
    // no endpoint cap and a share of 1 let the flood use every slot, so only the queue's order keeps it fair
    await h.startWorker({ workerProjectShare: 1, endpointMaxConcurrency: 0 });

    await fast.waitFor((r) => r.length === 1, 30_000);
    // in FIFO order it would come after the whole flood
    expect(flooded.receipts.length).toBeLessThan(FLOOD / 2);
    await flooded.waitFor((r) => r.length >= FLOOD, 60_000);
  });
});
