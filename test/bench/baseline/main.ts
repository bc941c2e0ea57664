import { createHmac, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { Job, Queue, Worker } from 'bullmq';
import { Pool as PgPool } from 'pg';
import { Agent } from 'undici';
import { BASELINE_RETRY_DELAY_MS, BASELINE_RETRY_LIMIT, BASELINE_SCHEMA } from './schema';

/**
 * The baseline pipeline the benchmark compares Caravan with: node:http ingest → one
 * PostgreSQL statement committing the event and its delivery rows → BullMQ wake-up → a
 * BullMQ worker POSTing with undici → attempt row + state update in one statement. No
 * auth, no validation beyond JSON, no filters, no breaker: the floor of the same
 * guarantees. Not part of the product.
 */

const env = (k: string, d?: string): string => {
  const v = process.env[k] ?? d;
  if (v === undefined) throw new Error(`${k} is required`);
  return v;
};

const QUEUE = 'deliveries';
const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
const prefix = env('BASE_PREFIX');
const pg = new PgPool({ connectionString: env('BASE_DB_URL'), max: Number(env('BASE_PG_POOL', '20')) });

interface DeliveryJob {
  id: string;
}

async function migrate(): Promise<void> {
  await pg.query(BASELINE_SCHEMA);
}

function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > limit) reject(new Error('too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s) }).end(s);
}

const INSERT = `
  WITH e AS (INSERT INTO events (id, event_type, data) VALUES ($1, $2, $3))
  INSERT INTO deliveries (id, event_id, endpoint_id) SELECT d, $1, ep FROM unnest($4::text[], $5::text[]) AS u(d, ep)`;

async function ingest(): Promise<void> {
  const queue = new Queue<DeliveryJob>(QUEUE, { connection, prefix });
  const byOwner = new Map<string, string[]>();
  const known = new Set<string>();
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
        if (req.url === '/endpoints') {
          const id = randomUUID();
          await pg.query('INSERT INTO endpoints (id, owner_id, url, secret, timeout_ms) VALUES ($1, $2, $3, $4, $5)', [
            id,
            body.owner_id,
            body.url,
            'bench-secret',
            Number(body.timeout_ms),
          ]);
          byOwner.set(String(body.owner_id), [...(byOwner.get(String(body.owner_id)) ?? []), id]);
          known.add(id);
          return reply(res, 201, { id });
        }
        let endpoints: string[];
        if (req.url === '/fanout') endpoints = byOwner.get(String(body.owner_id)) ?? [];
        else if (req.url === '/events' && known.has(String(body.endpoint_id))) endpoints = [String(body.endpoint_id)];
        else return reply(res, 404, { error: 'unknown endpoint' });
        if (typeof body.event_type !== 'string' || body.data === undefined) return reply(res, 400, { error: 'event_type and data are required' });
        const id = randomUUID();
        const deliveries = endpoints.map(() => randomUUID());
        await pg.query(INSERT, [id, body.event_type, JSON.stringify(body.data), deliveries, endpoints]);
        // the commit is the record; the job is only a wake-up
        queue
          .addBulk(deliveries.map((d) => ({ name: 'deliver', data: { id: d }, opts: { jobId: d, removeOnComplete: true, removeOnFail: true } })))
          .catch(() => undefined);
        reply(res, 201, { id });
      } catch (e) {
        reply(res, 503, { error: (e as Error).message });
      }
    })();
  });
  server.keepAliveTimeout = 30_000;
  const port = Number(env('BASE_PORT'));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  process.stdout.write(`ready ingest ${port}\n`);
  const stop = (): void => {
    server.close();
    void queue
      .close()
      .then(() => pg.end())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

const CLAIM = `
  UPDATE deliveries d SET status = 'Processing', attempts = d.attempts + 1, updated_at = now()
  FROM events e, endpoints p
  WHERE d.id = $1 AND d.status IN ('Scheduled', 'Retry') AND e.id = d.event_id AND p.id = d.endpoint_id
  RETURNING e.data, p.url, p.secret, p.timeout_ms, d.attempts`;

const RECORD = `
  WITH a AS (INSERT INTO attempts (delivery_id, status_code, error, duration_ms) VALUES ($1, $2, $3, $4))
  UPDATE deliveries SET status = $5, updated_at = now() WHERE id = $1`;

async function work(): Promise<void> {
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 128, pipelining: 1 });
  const retries = new Queue<DeliveryJob>(QUEUE, { connection, prefix });
  const deliver = async (job: Job<DeliveryJob>): Promise<void> => {
    const id = job.data.id;
    const claimed = await pg.query<{ data: string; url: string; secret: string; timeout_ms: number; attempts: number }>(CLAIM, [id]);
    if (claimed.rowCount === 0) return;
    const d = claimed.rows[0];
    const t = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', d.secret).update(d.data).digest('hex');
    const started = performance.now();
    let status: number | null = null;
    let error = '';
    try {
      const res = await agent.request({
        origin: new URL(d.url).origin,
        path: new URL(d.url).pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-convoy-signature': signature, 'x-bench-delivery-id': id, 'x-bench-timestamp': String(t) },
        body: d.data,
        headersTimeout: d.timeout_ms,
        bodyTimeout: d.timeout_ms,
        signal: AbortSignal.timeout(d.timeout_ms),
      });
      status = res.statusCode;
      await res.body.dump({ limit: 64 * 1024 });
    } catch (e) {
      error = (e as Error).message.slice(0, 200);
    }
    const ok = status !== null && status >= 200 && status < 300;
    const next = ok ? 'Success' : d.attempts >= BASELINE_RETRY_LIMIT ? 'Failure' : 'Retry';
    await pg.query(RECORD, [id, status, error, Math.round(performance.now() - started), next]);
    if (next === 'Retry')
      await retries.add('deliver', { id }, { jobId: `${id}-${d.attempts}`, delay: BASELINE_RETRY_DELAY_MS, removeOnComplete: true, removeOnFail: true });
  };
  const worker = new Worker<DeliveryJob>(QUEUE, deliver, { connection, prefix, concurrency: Number(env('BASE_CONCURRENCY', '50')) });
  await worker.waitUntilReady();
  process.stdout.write('ready worker\n');
  const stop = (): void => {
    void worker
      .close()
      .then(() => Promise.all([retries.close(), agent.close(), pg.end()]))
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

const role = process.argv[2];
const main = role === 'migrate' ? () => migrate().then(() => pg.end()) : role === 'ingest' ? ingest : role === 'worker' ? work : undefined;
if (!main) {
  process.stderr.write('usage: baseline migrate|ingest|worker\n');
  process.exit(2);
}
main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
