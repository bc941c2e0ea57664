import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * What an endpoint does with a webhook: answer at once, after a delay, with a 500, never
 * (hang), refuse connections outright, or fail a fraction of calls.
 */
export type SinkMode = { kind: 'fast' } | { kind: 'slow'; ms: number } | { kind: '500' } | { kind: 'hang' } | { kind: 'refuse' } | { kind: 'flaky'; p: number };

export function parseSinkMode(s: string): SinkMode {
  const m = /^(fast|slow|500|hang|refuse|flaky)(?:\((\d+(?:\.\d+)?)\))?$/.exec(s);
  if (!m) throw new Error(`unknown sink mode "${s}"`);
  switch (m[1]) {
    case 'slow':
      return { kind: 'slow', ms: Number(m[2] ?? 50) };
    case 'flaky':
      return { kind: 'flaky', p: Number(m[2] ?? 0.1) };
    default:
      return { kind: m[1] } as SinkMode;
  }
}

/** The fields every benchmark payload starts with, so the sink reads them without parsing 1 KiB. */
const MARK = /"bench":\{"s":(\d+),"t":([\d.]+),"r":"([^"]*)"/;

export interface Arrival {
  seq: number;
  /** scheduled send time (performance.now() of this process) */
  sentAt: number;
  receivedAt: number;
  run: string;
  endpoint: number;
  deliveryId: string;
}

/**
 * A loopback receiver shared by all endpoints of a scenario: one HTTP server per endpoint
 * (so each has its own origin and connection pool, as real endpoints do), all recording
 * into one arrival log. A `refuse` endpoint gets a port whose listener is closed.
 */
export class BenchSink {
  readonly arrivals: Arrival[] = [];
  /** requests answered with an error status, per endpoint */
  readonly failures: number[] = [];
  private servers: Server[] = [];
  private sockets = new Set<Socket>();
  private hung = new Set<ServerResponse>();
  readonly urls: string[] = [];

  async start(modes: SinkMode[]): Promise<string[]> {
    for (const [i, mode] of modes.entries()) {
      this.failures.push(0);
      const server = createServer((req, res) => this.handle(i, mode, req, res));
      server.keepAliveTimeout = 30_000;
      server.on('connection', (s: Socket) => {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      const port = (server.address() as AddressInfo).port;
      if (mode.kind === 'refuse') {
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } else this.servers.push(server);
      this.urls.push(`http://127.0.0.1:${port}/hook/${i}`);
    }
    return this.urls;
  }

  async stop(): Promise<void> {
    for (const r of this.hung) r.destroy();
    this.hung.clear();
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.servers = [];
  }

  /** Arrivals of one run tag (scenarios tag each step so late deliveries are attributed). */
  ofRun(run: string): Arrival[] {
    return this.arrivals.filter((a) => a.run === run);
  }

  private handle(endpoint: number, mode: SinkMode, req: IncomingMessage, res: ServerResponse): void {
    let head = '';
    req.on('data', (c: Buffer) => {
      if (head.length < 160) head += c.toString('latin1', 0, Math.min(c.length, 160));
    });
    req.on('end', () => {
      const receivedAt = performance.now();
      const m = MARK.exec(head);
      if (m) {
        const id = req.headers['x-caravan-delivery-id'] ?? req.headers['x-bench-delivery-id'];
        this.arrivals.push({ seq: Number(m[1]), sentAt: Number(m[2]), run: m[3], receivedAt, endpoint, deliveryId: typeof id === 'string' ? id : '' });
      }
      switch (mode.kind) {
        case 'hang':
          this.hung.add(res);
          res.on('close', () => this.hung.delete(res));
          return;
        case '500':
          this.failures[endpoint]++;
          res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"bench"}');
          return;
        case 'flaky':
          if (Math.random() < mode.p) {
            this.failures[endpoint]++;
            res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"bench"}');
            return;
          }
          break;
        case 'slow':
          setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), mode.ms);
          return;
        default:
          break;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  }
}

/** Loss and duplicates of one run: every (seq, endpoint) expected once. */
export function accountDeliveries(
  arrivals: readonly Arrival[],
  acceptedSeqs: readonly number[],
  endpoints: readonly number[],
): { expected: number; unique: number; lost: number; duplicates: number } {
  const seen = new Set<string>();
  let dup = 0;
  const eps = new Set(endpoints);
  for (const a of arrivals) {
    if (!eps.has(a.endpoint)) continue;
    const k = `${a.seq}:${a.endpoint}`;
    if (seen.has(k)) dup++;
    else seen.add(k);
  }
  const expected = acceptedSeqs.length * endpoints.length;
  let unique = 0;
  for (const s of acceptedSeqs) for (const e of endpoints) if (seen.has(`${s}:${e}`)) unique++;
  return { expected, unique, lost: expected - unique, duplicates: dup };
}
