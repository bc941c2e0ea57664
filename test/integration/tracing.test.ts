import { ChildProcess, spawn } from 'node:child_process';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  createTestDatabase,
  deleteRedisPrefix,
  freePort,
  TEST_ADMIN_KEY,
  TEST_REDIS_URL,
  TestDatabase,
  testRedisPrefix,
  waitUntil,
  WebhookSink,
} from '../../libs/testing';

const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli.js');

/** One span as an OTLP/JSON export carries it, with its resource's attributes. */
interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  links: { traceId: string; spanId: string }[];
}

const KIND = { internal: 1, server: 2, client: 3, consumer: 5 };

/** A database client span, under the current semantic conventions or the older ones. */
const isDb = (s: ExportedSpan, system: string): boolean => s.attributes['db.system.name'] === system || s.attributes['db.system'] === system;

type OtlpValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
const flat = (attrs: { key: string; value: OtlpValue }[] = []): Record<string, unknown> =>
  Object.fromEntries(attrs.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue ?? a.value.doubleValue]));

/** A loopback OpenTelemetry collector: takes OTLP/HTTP JSON exports at /v1/traces and keeps their spans. */
class Collector {
  readonly spans: ExportedSpan[] = [];
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
            resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: Record<string, unknown>[] }[] }[];
          };
          for (const rs of body.resourceSpans ?? []) {
            const resource = flat(rs.resource?.attributes);
            for (const ss of rs.scopeSpans ?? [])
              for (const s of ss.spans ?? [])
                this.spans.push({
                  traceId: s.traceId as string,
                  spanId: s.spanId as string,
                  parentSpanId: (s.parentSpanId as string) || undefined,
                  name: s.name as string,
                  kind: s.kind as number,
                  attributes: flat(s.attributes as { key: string; value: OtlpValue }[]),
                  resource,
                  links: ((s.links as { traceId: string; spanId: string }[]) ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
                });
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  inTrace(traceId: string): ExportedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

/**
 * Tracing with the real built processes: an api and a worker, each exporting to a
 * collector on loopback over OTLP/HTTP. pg, ioredis, undici and http are instrumented only
 * in a real process (the SDK hooks Node's module loader, which jest replaces), so this is
 * where one event is followed from the client's request through the group commit and the
 * queue job to its attempts, across both processes.
 */
describe('tracing (integration)', () => {
  let db: TestDatabase;
  const prefix = testRedisPrefix('trace');
  const children: ChildProcess[] = [];
  const collector = new Collector();
  // the first attempt fails, so the retry's spans join the same trace
  const sink = new WebhookSink((_req, n) => (n === 0 ? { status: 500 } : { status: 200 }));
  let api = '';

  function run(role: string, env: Record<string, string>, otlp: string): ChildProcess {
    const child = spawn(process.execPath, [CLI, role], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: prefix,
        CARAVAN_ADMIN_KEY: TEST_ADMIN_KEY,
        CARAVAN_ENCRYPTION_KEY: '07'.repeat(32),
        LOG_LEVEL: 'warn',
        EGRESS_ALLOW: sink.allowEntry,
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    return child;
  }

  async function call(
    path: string,
    auth: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: { data: Record<string, unknown> } }> {
    const r = await fetch(`${api}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, json: (await r.json()) as { data: Record<string, unknown> } };
  }

  async function project(config: Record<string, unknown>): Promise<{ id: string; key: string; endpointId: string }> {
    const p = await call('/api/v1/projects', TEST_ADMIN_KEY, {
      name: 'trace',
      type: 'outgoing',
      config: { ssl: { enforce_secure_endpoints: false }, strategy: { type: 'linear', duration: 1, retry_count: 3 }, ...config },
    });
    expect(p.status).toBe(201);
    const data = p.json.data as { project: { uid: string }; api_key: { key: string } };
    const ep = await call(`/api/v1/projects/${data.project.uid}/endpoints`, data.api_key.key, { name: 'sink', url: `${sink.url}/hook` });
    expect(ep.status).toBe(201);
    return { id: data.project.uid, key: data.api_key.key, endpointId: ep.json.data.uid as string };
  }

  beforeAll(async () => {
    db = await createTestDatabase('trace');
    await sink.start();
    const otlp = await collector.start();
    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    run('api', { PORT: String(port) }, otlp);
    await waitUntil('api ready', async () => (await fetch(`${api}/health/ready`).catch(() => undefined))?.ok === true, 30_000, 100);
    run('worker', { WORKER_HEALTH_PORT: '0' }, otlp);
  }, 60_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await sink.stop();
    await collector.stop();
    await db?.drop();
    await deleteRedisPrefix(prefix);
  });

  it('follows one event from the client request through the group commit and the job to each attempt, in both processes', async () => {
    const p = await project({ add_traceparent_header: true });
    // the client's own trace: Caravan continues it
    const clientTrace = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    const ev = await call(
      `/api/v1/projects/${p.id}/events`,
      p.key,
      { endpoint_id: p.endpointId, event_type: 'invoice.paid', data: { n: 1 } },
      { traceparent: `00-${clientTrace}-1111111111111111-01` },
    );
    expect(ev.status).toBe(201);
    const eventId = ev.json.data.uid as string;
    const receipts = await sink.waitFor((r) => r.length >= 2, 30_000);

    // the receiver can continue the trace too: each attempt's header names its send span
    const tps = receipts.map((r) => r.headers.traceparent);
    for (const tp of tps) expect(tp).toMatch(new RegExp(`^00-${clientTrace}-[0-9a-f]{16}-01$`));
    expect(new Set(tps).size).toBe(2);

    const spans = await waitUntil(
      'the spans of both attempts',
      () => {
        const t = collector.inTrace(clientTrace);
        return Promise.resolve(t.filter((s) => s.name === 'caravan.record').length >= 2 && t.some((s) => s.name === 'caravan.group_commit') && t);
      },
      20_000,
      100,
    );
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s: ExportedSpan): ExportedSpan | undefined => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);
    const one = (name: string): ExportedSpan => {
      const found = spans.filter((s) => s.name === name);
      expect(found.length).toBeGreaterThanOrEqual(1);
      return found[0];
    };

    // api process: the HTTP server span continues the client's, the ingest span is inside it,
    // and the group commit that wrote the event with its SQL statement
    const server = spans.find((s) => s.kind === KIND.server && s.parentSpanId === '1111111111111111');
    expect(server).toBeDefined();
    expect(server!.resource['caravan.role']).toBe('api');
    expect(server!.resource['service.name']).toBe('caravan');
    const ingest = one('caravan.ingest');
    expect(ingest.parentSpanId).toBe(server!.spanId);
    expect(ingest.attributes['caravan.event_id']).toBe(eventId);
    const commit = spans.find(
      (s) => s.name === 'caravan.group_commit' && (s.parentSpanId === ingest.spanId || s.links.some((l) => l.spanId === ingest.spanId)),
    );
    expect(commit).toBeDefined();
    expect(spans.some((s) => s.parentSpanId === commit!.spanId && isDb(s, 'postgresql'))).toBe(true);

    // worker process: two runs of the delivery job, the first a child of the ingest (the
    // job carried its context through Redis), the retry a child of the first attempt
    const runs = spans.filter((s) => s.name === 'caravan.delivery' && s.kind === KIND.consumer);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const r of runs) expect(r.resource['caravan.role']).toBe('worker');
    const first = runs.find((r) => r.parentSpanId === ingest.spanId);
    expect(first).toBeDefined();
    const attemptSpans = (run: ExportedSpan): Record<string, ExportedSpan> =>
      Object.fromEntries(spans.filter((s) => s.parentSpanId === run.spanId).map((s) => [s.name, s]));
    const a1 = attemptSpans(first!);
    for (const name of ['caravan.gate', 'caravan.claim', 'caravan.send', 'caravan.record']) expect(a1[name]).toBeDefined();
    expect(a1['caravan.gate'].attributes['caravan.gate.decision']).toBe('pass');
    expect(a1['caravan.send'].attributes['http.response.status_code']).toBe(500);
    expect(a1['caravan.record'].attributes['caravan.status']).toBe('Retry');
    const retry = runs.find((r) => r !== first && parentOf(r) && [first!.spanId, ...Object.values(a1).map((s) => s.spanId)].includes(r.parentSpanId!));
    expect(retry).toBeDefined();
    const a2 = attemptSpans(retry!);
    expect(a2['caravan.send'].attributes['http.response.status_code']).toBe(200);
    expect(a2['caravan.record'].attributes['caravan.status']).toBe('Success');

    // the instrumented clients: the send's HTTP request (undici), the claim's statement (pg),
    // a Redis command inside the attempt (ioredis)
    const client = spans.find((s) => s.parentSpanId === a2['caravan.send'].spanId && s.kind === KIND.client);
    expect(client?.attributes['server.port']).toBe(sink.port);
    expect(tps[1]).toBe(`00-${clientTrace}-${a2['caravan.send'].spanId}-01`);
    expect(spans.some((s) => s.parentSpanId === a1['caravan.claim'].spanId && isDb(s, 'postgresql'))).toBe(true);
    expect(spans.some((s) => isDb(s, 'redis'))).toBe(true);
  }, 90_000);

  it('keeps its trace ids to itself unless the project asks, and never traces probes', async () => {
    const p = await project({});
    const before = sink.receipts.length;
    const ev = await call(`/api/v1/projects/${p.id}/events`, p.key, { endpoint_id: p.endpointId, event_type: 'invoice.paid', data: { n: 2 } });
    expect(ev.status).toBe(201);
    const [r] = (await sink.waitFor((rs) => rs.length > before, 30_000)).slice(before);
    expect(r.headers.traceparent).toBeUndefined();
    expect(r.headers.tracestate).toBeUndefined();
    // traced all the same, as a trace of its own
    await waitUntil(
      'the attempt of the event to be exported',
      () => Promise.resolve(collector.spans.some((s) => s.name === 'caravan.ingest' && s.attributes['caravan.event_id'] === ev.json.data.uid)),
      20_000,
      100,
    );
    expect(collector.spans.some((s) => s.kind === KIND.server && /health/.test(`${s.name} ${JSON.stringify(s.attributes)}`))).toBe(false);
  }, 60_000);
});
