import type { INestApplicationContext } from '@nestjs/common';
import { HealthMetrics } from '../../libs/observability/metrics';
import request from 'supertest';
import { createTestProject, freePort, PipelineHarness, Sinks, startPipelineHarness, TestProject, waitUntil, WebhookSink } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';
import { EndpointGate, EndpointHealthStore } from '../../src/modules/endpoint-health';
import { EndpointsService } from '../../src/modules/endpoints';
import { ProjectsService } from '../../src/modules/projects';

/**
 * Three worker app contexts on one database and one Redis prefix, as three worker
 * processes would be: the rate limit, the concurrency cap and the breaker are one for all.
 */
type Proj = TestProject;

describe('endpoint health across workers', () => {
  let h: PipelineHarness;
  const extraWorkers: INestApplicationContext[] = [];
  const sinks = new Sinks();
  const http = () => request(h.api.getHttpServer());
  const workers = (): INestApplicationContext[] => [h.worker, ...extraWorkers];

  const sink = (behaviour?: ConstructorParameters<typeof WebhookSink>[0]): Promise<WebhookSink> => sinks.start(behaviour);

  const project = (config: Record<string, unknown> = {}): Promise<TestProject> =>
    createTestProject(h.api.getHttpServer(), { strategy: { type: 'linear', duration: 1, retry_count: 5 }, ...config }, 'shared');

  async function endpoint(p: Proj, url: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: `ep-${url}`, url, ...extra })
      .expect(201);
    const id = res.body.data.uid as string;
    await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: `sub-${id}`, endpoint_id: id, filter_config: { event_types: ['*'] } })
      .expect(201);
    return id;
  }

  async function send(p: Proj, endpointId: string, n: number): Promise<void> {
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        http().post(`/api/v1/projects/${p.id}/events`).set(p.auth).send({ endpoint_id: endpointId, event_type: 'x', data: { i } }).expect(201),
      ),
    );
  }

  async function deferrals(reasons: string[]): Promise<number> {
    let n = 0;
    for (const w of workers()) {
      const metric = await w.get(HealthMetrics, { strict: false }).registry.getSingleMetric('caravan_deferrals_total')!.get();
      n += metric.values.filter((v) => reasons.includes(String(v.labels.reason))).reduce((a, v) => a + v.value, 0);
    }
    return n;
  }

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'], workerConcurrency: 10, endpointMaxConcurrency: 2 });
    for (let i = 0; i < 2; i++) extraWorkers.push(await createWorkerApp({ config: h.config }));
  });
  afterAll(async () => {
    for (const w of extraWorkers) await w.close();
    await sinks.stopAll();
    await h.close();
  });

  /** The most receipts inside any window of `windowMs` (the receiver's own count). */
  function busiestWindow(at: number[], windowMs: number): number {
    const sorted = [...at].sort((a, b) => a - b);
    let most = 0;
    for (let i = 0, j = 0; i < sorted.length; i++) {
      while (sorted[i] - sorted[j] >= windowMs) j++;
      most = Math.max(most, i - j + 1);
    }
    return most;
  }

  it('holds one rate limit across all workers', async () => {
    const p = await project();
    const s = await sink();
    const id = await endpoint(p, s.url, { rate_limit: 4, rate_limit_duration: 1 });
    await send(p, id, 12);
    await s.waitFor((rs) => rs.length >= 12, 20_000);
    const at = s.receipts.map((r) => r.at);
    // a burst of 4, then nothing until the first of them is a window old: three windows in all
    expect(busiestWindow(at, 1000)).toBe(4);
    expect(Math.max(...at) - Math.min(...at)).toBeGreaterThanOrEqual(2000);
  });

  it('spreads a rate-limited backlog over reserved times instead of retrying it all at once', async () => {
    const p = await project();
    const s = await sink();
    const id = await endpoint(p, s.url, { rate_limit: 10, rate_limit_duration: 1 });
    const before = await deferrals(['rate_limit']);
    await send(p, id, 40);
    await s.waitFor((rs) => rs.length >= 40, 20_000);
    // about one deferral per delivery beyond the burst, not one per delivery per refill
    expect((await deferrals(['rate_limit'])) - before).toBeLessThanOrEqual(45);
    // "10 a second" means at most 10 in any second the receiver looks at, backlog or not
    expect(
      busiestWindow(
        s.receipts.map((r) => r.at),
        1000,
      ),
    ).toBeLessThanOrEqual(10);
  });

  it('serves the worker’s metrics on its health port', async () => {
    const port = await freePort();
    const w = await createWorkerApp({ config: { ...h.config, workerHealthPort: port } });
    extraWorkers.push(w);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain('caravan_queue_depth{queue="deliveries"');
    expect(text).toContain('# TYPE caravan_deferrals_total counter');
  });

  it('recovers through half-open probes, and deferrals while open spend no attempts', async () => {
    const p = await project({
      circuit_breaker: { minimum_request_count: 3, failure_threshold: 50, error_timeout: 1, success_threshold: 2, sample_rate: 1, observability_window: 1 },
    });
    const s = await sink((_req, n) => (n < 3 ? { status: 500 } : { status: 200 }));
    const id = await endpoint(p, s.url);
    const before = await deferrals(['circuit_open', 'circuit_probe']);
    await send(p, id, 6);
    const deliveries = await waitUntil(
      'every delivery to succeed',
      async () => {
        const res = await http().get(`/api/v1/projects/${p.id}/eventdeliveries?endpointId=${id}`).set(p.auth).expect(200);
        const list = res.body.data.content as { status: string; metadata: { num_trials: number } }[];
        return list.length === 6 && list.every((d) => d.status === 'Success') && list;
      },
      20_000,
    );
    // each of the three failures cost one retry; every wait behind the open breaker cost nothing
    expect(deliveries.reduce((n, d) => n + d.metadata.num_trials, 0)).toBe(9);
    expect((await deferrals(['circuit_open', 'circuit_probe'])) - before).toBeGreaterThan(0);
    const read = await http().get(`/api/v1/projects/${p.id}/endpoints/${id}`).set(p.auth).expect(200);
    expect(read.body.data.cb_state).toBe('closed');
  });

  it('frees the slots of a worker that died mid-send when their lease runs out', async () => {
    const store = h.worker.get(EndpointHealthStore, { strict: false });
    const other = extraWorkers[0].get(EndpointHealthStore, { strict: false });
    await expect(store.acquireSlot('ep-dead-worker', 1, 300, 'dying-worker')).resolves.toBe(true);
    // the dying worker never releases; the cap holds for everyone meanwhile
    await expect(other.acquireSlot('ep-dead-worker', 1, 300, 'live-worker')).resolves.toBe(false);
    await new Promise((r) => setTimeout(r, 400));
    await expect(other.acquireSlot('ep-dead-worker', 1, 300, 'live-worker')).resolves.toBe(true);
  });

  it('holds one concurrency cap across all workers', async () => {
    const p = await project();
    const s = await sink(() => ({ status: 200, delayMs: 400 }));
    const id = await endpoint(p, s.url);
    await send(p, id, 10);
    await s.waitFor((rs) => rs.length >= 10, 20_000);
    const spans = s.receipts.map((r) => [r.at, r.at + 400] as const);
    const peak = Math.max(...spans.map(([start]) => spans.filter(([a, b]) => a <= start && start < b).length));
    expect(peak).toBeLessThanOrEqual(2);
  });

  it('opens the breaker in every worker once the shared failure rate crosses the threshold', async () => {
    const p = await project({
      circuit_breaker: { minimum_request_count: 4, failure_threshold: 50, error_timeout: 60, sample_rate: 5, observability_window: 1 },
    });
    const s = await sink(() => ({ status: 500 }));
    const id = await endpoint(p, s.url);
    await send(p, id, 6);
    await waitUntil('the shared breaker to open', async () => {
      const res = await http().get(`/api/v1/projects/${p.id}/endpoints/${id}`).set(p.auth).expect(200);
      return res.body.data.cb_state === 'open';
    });
    // a worker may reuse a closed reading for a moment (CLOSED_STATE_TTL_MS)
    await new Promise((r) => setTimeout(r, 300));
    for (const w of workers()) {
      const gate = w.get(EndpointGate, { strict: false });
      const ep = await w.get(EndpointsService, { strict: false }).getForDelivery(id);
      const proj = await w.get(ProjectsService, { strict: false }).getCached(p.id);
      const decision = await gate.admit(ep!, proj);
      expect(decision).toMatchObject({ kind: 'defer', reason: 'circuit_open' });
    }
    const sent = s.receipts.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.receipts.length).toBe(sent);
  });
});
