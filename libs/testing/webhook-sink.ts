import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Receipt {
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
  status: number;
}

/** What the sink answers: a status, optionally after a delay; `hang` never answers. */
export type SinkBehaviour = { status: number; delayMs?: number; headers?: Record<string, string> } | 'hang' | 'destroy';

/**
 * A loopback HTTP receiver for tests and benchmarks. It records every request and answers
 * per a behaviour function, so a test can fail the first N calls, then recover.
 */
export class WebhookSink {
  readonly receipts: Receipt[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private hung: ServerResponse[] = [];
  private host = '127.0.0.1';

  constructor(private behaviour: (req: IncomingMessage, n: number) => SinkBehaviour = () => ({ status: 200 })) {}

  setBehaviour(b: (req: IncomingMessage, n: number) => SinkBehaviour): void {
    this.behaviour = b;
  }

  async start(host = '127.0.0.1', port = 0): Promise<string> {
    this.host = host;
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, () => resolve()));
    return this.url;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** `ip:port` for EGRESS_ALLOW */
  get allowEntry(): string {
    return `${this.host}:${this.port}`;
  }

  /** Resolves when `predicate` holds over the receipts, or rejects after `timeoutMs`. */
  async waitFor(predicate: (r: Receipt[]) => boolean, timeoutMs = 15_000): Promise<Receipt[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.receipts)) {
      if (Date.now() > deadline) throw new Error(`sink: condition not met within ${timeoutMs} ms (${this.receipts.length} receipts)`);
      await new Promise((r) => setTimeout(r, 25));
    }
    return this.receipts;
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.hung = [];
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = this.receipts.length;
      const b = this.behaviour(req, n);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      this.receipts.push({
        path: req.url ?? '/',
        headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        status: typeof b === 'string' ? 0 : b.status,
      });
      if (b === 'hang') {
        this.hung.push(res);
        return;
      }
      if (b === 'destroy') {
        res.destroy();
        return;
      }
      const send = (): void => {
        res.writeHead(b.status, { 'content-type': 'application/json', ...(b.headers ?? {}) });
        res.end('{"ok":true}');
      };
      if (b.delayMs) setTimeout(send, b.delayMs);
      else send();
    });
  }
}
