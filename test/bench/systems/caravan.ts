import { Child, deletePrefix, redisClient, sparePort, waitHttpReady } from '../lib/children';
import type { IngestTarget } from '../lib/load';
import { connect as amqpConnect } from 'amqplib';
import { createHmac } from 'node:crypto';
import { benchData } from '../lib/load';
import { backendPids, createDatabase, dbUrl, dropDatabase, PG_SERVER } from '../lib/pg';
import type { PidGroups } from '../lib/proc';
import type { Deployment, DeployOptions, EndpointSpec } from './system';

const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const CLI = 'dist/src/cli.js';

async function call<T>(url: string, auth: string, body: unknown): Promise<T> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await r.text();
  if (r.status !== 201 && r.status !== 200) throw new Error(`POST ${url} -> ${r.status}: ${text.slice(0, 400)}`);
  return (JSON.parse(text) as { data: T }).data;
}

/** Caravan as an operator runs it: migrate, then api and worker (and egress) as separate processes. */
export class CaravanDeployment implements Deployment {
  readonly kind = 'caravan' as const;
  readonly db: string;
  readonly prefix: string;
  private api!: Child;
  private worker!: Child;
  private egress?: Child;
  private env: Record<string, string> = {};
  private origin = '';
  private workerHealth = 0;
  private projects = 0;
  private redisPid = 0;

  /** the projects addEndpoints made, with their API keys */
  readonly made: { projectId: string; key: string; endpointIds: string[] }[] = [];

  get pgServer(): string {
    return this.opts.pgServer ?? PG_SERVER;
  }

  get databaseUrl(): string {
    return dbUrl(this.db, this.pgServer);
  }

  get apiOrigin(): string {
    return this.origin;
  }

  /** Runs a CLI command with the roles' environment and answers its output (e.g. `retention run`). */
  async cli(args: string[], timeoutMs: number): Promise<string> {
    const c = new Child(`caravan ${args.join(' ')}`, [CLI, ...args], this.env, this.opts.caravanDir);
    await c.run(timeoutMs);
    // the exit can come before the last of its output has been read
    await new Promise((r) => setTimeout(r, 200));
    return c.output();
  }

  constructor(private readonly opts: DeployOptions) {
    this.db = `bench_${opts.name}_caravan`;
    this.prefix = `bench:${opts.name}:caravan`;
  }

  async start(): Promise<void> {
    await createDatabase(this.db, this.pgServer);
    const r = redisClient();
    try {
      await deletePrefix(r, this.prefix);
      this.redisPid = Number(/process_id:(\d+)/.exec(await r.info('server'))?.[1] ?? 0);
    } finally {
      r.disconnect();
    }
    const port = await sparePort();
    this.workerHealth = await sparePort();
    this.origin = `http://127.0.0.1:${port}`;
    this.env = {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: this.prefix,
      CARAVAN_ADMIN_KEY: ADMIN_KEY,
      PORT: String(port),
      HOST: '127.0.0.1',
      WORKER_HEALTH_PORT: String(this.workerHealth),
      WORKER_CONCURRENCY: String(this.opts.workerConcurrency),
      EGRESS_ALLOW: '127.0.0.0/8',
      LOG_LEVEL: 'warn',
      EGRESS_PROXY_URL: '',
      // the harness measures capacity: the per-tenant limits run (their cost counts) but never refuse
      API_RATE_LIMIT: '10000000',
      INGEST_RATE_LIMIT: '10000000',
      SOURCE_RATE_LIMIT: '10000000',
      BROKER_ALLOW: '127.0.0.0/8',
      ...this.opts.caravanEnv,
    };
    if (this.opts.egress) {
      const egressPort = await sparePort();
      const egressHealth = await sparePort();
      this.egress = new Child(
        'caravan egress',
        [CLI, 'egress'],
        {
          ...this.env,
          EGRESS_PORT: String(egressPort),
          EGRESS_HOST: '127.0.0.1',
          EGRESS_HEALTH_PORT: String(egressHealth),
          EGRESS_ALLOWED_PORTS: (this.opts.egressPorts ?? []).join(','),
        },
        this.opts.caravanDir,
      );
      this.egress.start();
      await waitHttpReady(this.egress, `http://127.0.0.1:${egressHealth}/health/live`);
      this.env.EGRESS_PROXY_URL = `http://127.0.0.1:${egressPort}`;
    }
    await new Child('caravan migrate', [CLI, 'migrate'], this.env, this.opts.caravanDir).run(60_000);
    this.api = new Child('caravan api', [CLI, 'api'], this.env, this.opts.caravanDir);
    this.worker = new Child('caravan worker', [CLI, 'worker'], this.env, this.opts.caravanDir);
    this.api.start();
    await waitHttpReady(this.api, `${this.origin}/health/live`);
    if (this.opts.workers) await this.startWorker();
  }

  async addEndpoints(eps: EndpointSpec[]): Promise<IngestTarget> {
    const n = ++this.projects;
    const project = await call<{ project: { uid: string }; api_key: { key: string } }>(`${this.origin}/api/v1/projects`, ADMIN_KEY, {
      name: `bench-${n}`,
      type: 'outgoing',
      // ratelimit count 0 = unlimited: the default quota (1,000/min) would measure the limiter, not the pipeline
      config: { ssl: { enforce_secure_endpoints: false }, strategy: { type: 'linear', duration: 1, retry_count: 3 }, ratelimit: { count: 0, duration: 60 } },
    });
    const pid = project.project.uid;
    const key = project.api_key.key;
    const owner = `owner-${n}`;
    const ids: string[] = [];
    for (const [i, ep] of eps.entries()) {
      const e = await call<{ uid: string }>(`${this.origin}/api/v1/projects/${pid}/endpoints`, key, {
        name: `ep-${n}-${i}`,
        url: ep.url,
        owner_id: owner,
        http_timeout: ep.timeoutS,
      });
      await call(`${this.origin}/api/v1/projects/${pid}/subscriptions`, key, {
        name: `sub-${n}-${i}`,
        endpoint_id: e.uid,
        filter_config: { event_types: ['*'] },
      });
      ids.push(e.uid);
    }
    this.made.push({ projectId: pid, key, endpointIds: ids });
    const fanout = eps.length > 1;
    return {
      origin: this.origin,
      headers: { authorization: `Bearer ${key}` },
      request: (seq, at, run) => {
        const data = benchData(seq, at, run);
        return fanout
          ? { path: `/api/v1/projects/${pid}/events/fanout`, body: `{"owner_id":"${owner}","event_type":"invoice.paid","data":${data}}` }
          : { path: `/api/v1/projects/${pid}/events`, body: `{"endpoint_id":"${ids[0]}","event_type":"invoice.paid","data":${data}}` };
      },
    };
  }

  async addSource(ep: EndpointSpec): Promise<IngestTarget> {
    const n = ++this.projects;
    const project = await call<{ project: { uid: string }; api_key: { key: string } }>(`${this.origin}/api/v1/projects`, ADMIN_KEY, {
      name: `bench-in-${n}`,
      type: 'incoming',
      config: { ssl: { enforce_secure_endpoints: false }, strategy: { type: 'linear', duration: 1, retry_count: 3 }, ratelimit: { count: 0, duration: 60 } },
    });
    const pid = project.project.uid;
    const key = project.api_key.key;
    const secret = `bench-source-${n}`;
    const source = await call<{ uid: string; mask_id: string }>(`${this.origin}/api/v1/projects/${pid}/sources`, key, {
      name: `src-${n}`,
      type: 'http',
      verifier: { type: 'hmac', hmac: { header: 'X-Bench-Signature', hash: 'SHA256', encoding: 'hex', secret } },
    });
    const e = await call<{ uid: string }>(`${this.origin}/api/v1/projects/${pid}/endpoints`, key, {
      name: `ep-in-${n}`,
      url: ep.url,
      http_timeout: ep.timeoutS,
    });
    await call(`${this.origin}/api/v1/projects/${pid}/subscriptions`, key, {
      name: `sub-in-${n}`,
      endpoint_id: e.uid,
      source_id: source.uid,
      filter_config: { event_types: ['*'] },
    });
    return {
      origin: this.origin,
      headers: {},
      request: (seq, at, run) => {
        const body = benchData(seq, at, run);
        return { path: `/ingest/${source.mask_id}`, body, headers: { 'x-bench-signature': createHmac('sha256', secret).update(body).digest('hex') } };
      },
    };
  }

  async addBrokerSource(ep: EndpointSpec): Promise<IngestTarget & { close(): Promise<void> }> {
    const n = ++this.projects;
    const project = await call<{ project: { uid: string }; api_key: { key: string } }>(`${this.origin}/api/v1/projects`, ADMIN_KEY, {
      name: `bench-mq-${n}`,
      type: 'outgoing',
      config: { ssl: { enforce_secure_endpoints: false }, strategy: { type: 'linear', duration: 1, retry_count: 3 }, ratelimit: { count: 0, duration: 60 } },
    });
    const pid = project.project.uid;
    const key = project.api_key.key;
    const e = await call<{ uid: string }>(`${this.origin}/api/v1/projects/${pid}/endpoints`, key, {
      name: `ep-mq-${n}`,
      url: ep.url,
      http_timeout: ep.timeoutS,
    });
    await call(`${this.origin}/api/v1/projects/${pid}/subscriptions`, key, { name: `sub-mq-${n}`, endpoint_id: e.uid, filter_config: { event_types: ['*'] } });
    const queue = `caravan-bench-${process.pid}-${n}`;
    // creating the source declares the queue (its connection check)
    await call(`${this.origin}/api/v1/projects/${pid}/sources`, key, {
      name: `mq-${n}`,
      type: 'pub_sub',
      pub_sub: { type: 'amqp', workers: 2, amqp: { schema: 'amqp', host: '127.0.0.1', port: '5672', queue, auth: { user: 'guest', password: 'guest' } } },
    });
    const conn = await amqpConnect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await conn.createConfirmChannel();
    return {
      origin: this.origin,
      headers: {},
      request: () => ({ path: '/', body: '' }),
      // a publish counts as accepted once RabbitMQ confirms it: from then on the broker holds it
      send: (seq, at, run) =>
        new Promise<number>((resolve) =>
          ch.sendToQueue(
            queue,
            Buffer.from(`{"endpoint_id":"${e.uid}","event_type":"invoice.paid","data":${benchData(seq, at, run)}}`),
            { persistent: true, messageId: `${queue}-${seq}` },
            (err) => resolve(err ? 503 : 200),
          ),
        ),
      close: async () => {
        await ch.deleteQueue(queue).catch(() => undefined);
        await conn.close().catch(() => undefined);
      },
    };
  }

  async startWorker(): Promise<void> {
    if (this.worker.running) return;
    this.worker.start();
    await waitHttpReady(this.worker, `http://127.0.0.1:${this.workerHealth}/health/live`);
  }

  async stopWorker(): Promise<void> {
    await this.worker.stop();
  }

  async pidGroups(): Promise<PidGroups> {
    const g: PidGroups = {
      api: this.api.pid && this.api.running ? [this.api.pid] : [],
      worker: this.worker.pid && this.worker.running ? [this.worker.pid] : [],
      postgres: await backendPids(this.db, this.pgServer),
      redis: this.redisPid ? [this.redisPid] : [],
    };
    if (this.egress?.pid) g.egress = [this.egress.pid];
    return g;
  }

  async stop(): Promise<void> {
    await Promise.all([this.api?.stop(), this.worker?.stop(), this.egress?.stop()]);
    await dropDatabase(this.db, this.pgServer);
    const r = redisClient();
    try {
      await deletePrefix(r, this.prefix);
    } finally {
      r.disconnect();
    }
  }
}
