import { Child, deletePrefix, redisClient, sparePort } from '../lib/children';
import type { IngestTarget } from '../lib/load';
import { benchData } from '../lib/load';
import { backendPids, createDatabase, dbUrl, dropDatabase, PG_SERVER } from '../lib/pg';
import type { PidGroups } from '../lib/proc';
import { sleep } from '../lib/stats';
import type { Deployment, DeployOptions, EndpointSpec } from './system';

const MAIN = 'dist/test/bench/baseline/main.js';

async function waitForLine(child: Child, text: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!child.output().includes(text)) {
    if (!child.running) throw new Error(`${child.label} exited (${child.exitCode})\n${child.output()}`);
    if (Date.now() > deadline) throw new Error(`${child.label} not ready within ${timeoutMs} ms\n${child.output()}`);
    await sleep(50);
  }
}

/** The bare pipeline (test/bench/baseline), started the same way as Caravan's roles. */
export class BaselineDeployment implements Deployment {
  readonly kind = 'baseline' as const;
  readonly db: string;
  readonly prefix: string;
  private ingest!: Child;
  private worker!: Child;
  private origin = '';
  private owners = 0;
  private redisPid = 0;

  get pgServer(): string {
    return this.opts.pgServer ?? PG_SERVER;
  }

  constructor(private readonly opts: DeployOptions) {
    this.db = `bench_${opts.name}_baseline`;
    this.prefix = `bench:${opts.name}:baseline`;
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
    this.origin = `http://127.0.0.1:${port}`;
    const env = {
      BASE_DB_URL: dbUrl(this.db, this.pgServer),
      BASE_PREFIX: this.prefix,
      BASE_PORT: String(port),
      BASE_CONCURRENCY: String(this.opts.workerConcurrency),
    };
    await new Child('baseline migrate', [MAIN, 'migrate'], env).run(30_000);
    this.ingest = new Child('baseline ingest', [MAIN, 'ingest'], env);
    this.worker = new Child('baseline worker', [MAIN, 'worker'], env);
    this.ingest.start();
    await waitForLine(this.ingest, 'ready ingest');
    if (this.opts.workers) await this.startWorker();
  }

  async addEndpoints(eps: EndpointSpec[]): Promise<IngestTarget> {
    const owner = `owner-${++this.owners}`;
    const ids: string[] = [];
    for (const ep of eps) {
      const r = await fetch(`${this.origin}/endpoints`, {
        method: 'POST',
        body: JSON.stringify({ owner_id: owner, url: ep.url, timeout_ms: ep.timeoutS * 1000 }),
        signal: AbortSignal.timeout(10_000),
      });
      if (r.status !== 201) throw new Error(`baseline endpoint: ${r.status} ${await r.text()}`);
      ids.push(((await r.json()) as { id: string }).id);
    }
    const fanout = eps.length > 1;
    return {
      origin: this.origin,
      headers: {},
      request: (seq, at, run) => {
        const data = benchData(seq, at, run);
        return fanout
          ? { path: '/fanout', body: `{"owner_id":"${owner}","event_type":"invoice.paid","data":${data}}` }
          : { path: '/events', body: `{"endpoint_id":"${ids[0]}","event_type":"invoice.paid","data":${data}}` };
      },
    };
  }

  async startWorker(): Promise<void> {
    if (this.worker.running) return;
    this.worker.start();
    await waitForLine(this.worker, 'ready worker');
  }

  async stopWorker(): Promise<void> {
    await this.worker.stop();
  }

  async pidGroups(): Promise<PidGroups> {
    return {
      api: this.ingest.pid && this.ingest.running ? [this.ingest.pid] : [],
      worker: this.worker.pid && this.worker.running ? [this.worker.pid] : [],
      postgres: await backendPids(this.db, this.pgServer),
      redis: this.redisPid ? [this.redisPid] : [],
    };
  }

  async stop(): Promise<void> {
    await Promise.all([this.ingest?.stop(), this.worker?.stop()]);
    await dropDatabase(this.db, this.pgServer);
    const r = redisClient();
    try {
      await deletePrefix(r, this.prefix);
    } finally {
      r.disconnect();
    }
  }
}
