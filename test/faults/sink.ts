import { appendFileSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { verifyConvoySignature } from '../../libs/webhooks';

/** One request a sink received. */
export interface Receipt {
  deliveryId: string;
  /** the load generator's id, carried in the payload */
  eventId: string;
  /** `<fault>/<endpoint>` from the URL path */
  endpoint: string;
  /** 1-based count of this delivery id at this sink */
  attempt: number;
  status: number;
  at: number;
  signatureOk: boolean;
  /** which process opened the TCP connection: `egress`, another role, or `unknown` */
  peer: string;
}

/** What a sink answers for one request; `hold` keeps the request open until the peer goes away. */
export type Behaviour = (r: { endpoint: string; eventId: string; deliveryId: string; attempt: number }) => { status: number; delayMs?: number; hold?: boolean };

interface EndpointReg {
  secret: string;
  advanced: boolean;
  behaviour?: Behaviour;
}

/**
 * Loopback receivers. Every request is verified, answered according to the endpoint's
 * behaviour and appended to a receipts file. Each TCP connection is attributed to the
 * process that opened it (through /proc), which is how the suite proves no delivery
 * bypassed the egress proxy.
 */
export class Sinks {
  readonly receipts: Receipt[] = [];
  private readonly endpoints = new Map<string, EndpointReg>();
  private readonly attempts = new Map<string, number>();
  private readonly peers = new WeakMap<Socket, Promise<string>>();
  private readonly held = new Set<ServerResponse>();
  /** connections per opening process */
  readonly connections = new Map<string, number>();
  private server?: Server;
  port = 0;

  constructor(
    private readonly file: string,
    private readonly pidNames: () => Map<number, string>,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on('connection', (socket: Socket) => {
      const p = attributeConnection(socket, this.pidNames());
      this.peers.set(socket, p);
      void p.then((who) => this.connections.set(who, (this.connections.get(who) ?? 0) + 1));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', () => ok()));
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
    this.server = server;
  }

  /**
   * Proves the connection attribution works on this machine before it is trusted: a
   * request from the harness itself must be attributed to the harness.
   */
  async selfTest(): Promise<void> {
    const res = await fetch(this.url('selftest'), { method: 'POST', body: '{}', headers: { connection: 'close' } });
    await res.text();
    await new Promise((r) => setTimeout(r, 50));
    const got = this.connections.get('harness') ?? 0;
    if (got !== 1) throw new Error(`connection attribution does not work here (saw ${JSON.stringify([...this.connections])})`);
    this.connections.clear();
    this.receipts.length = 0;
  }

  url(endpoint: string): string {
    return `http://127.0.0.1:${this.port}/${endpoint}`;
  }

  register(endpoint: string, secret: string, advanced: boolean, behaviour?: Behaviour): void {
    this.endpoints.set(endpoint, { secret, advanced, behaviour });
  }

  setBehaviour(endpoint: string, behaviour: Behaviour | undefined): void {
    const reg = this.endpoints.get(endpoint);
    if (reg) reg.behaviour = behaviour;
  }

  /** Requests currently held open (F2's slow delivery). */
  heldCount(): number {
    return this.held.size;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // arrival of the request head: the closest the receiver gets to the sender's clock
    const arrived = Date.now();
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const endpoint = (req.url ?? '/').slice(1);
    const deliveryId = header(req, 'x-caravan-delivery-id');
    let eventId = '';
    try {
      const fid = (JSON.parse(body) as { fid?: unknown }).fid;
      eventId = typeof fid === 'string' ? fid : '';
    } catch {
      eventId = '';
    }
    const reg = this.endpoints.get(endpoint);
    const signatureOk = reg
      ? verifyConvoySignature({
          payload: body,
          header: header(req, 'x-convoy-signature'),
          secret: reg.secret,
          hash: 'SHA256',
          encoding: 'hex',
          advanced: reg.advanced,
        })
      : false;
    const key = `${endpoint} ${deliveryId}`;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    const plan = reg?.behaviour?.({ endpoint, eventId, deliveryId, attempt }) ?? { status: 200 };
    const peer = await (this.peers.get(req.socket) ?? Promise.resolve('unknown'));
    if (plan.hold) {
      // answered only if the sender is still there after a long while; normally it is killed first
      this.held.add(res);
      const release = (): void => {
        this.held.delete(res);
      };
      res.once('close', release);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, 120_000);
        res.once('close', () => {
          clearTimeout(t);
          ok();
        });
      });
      if (res.destroyed || res.writableEnded) {
        this.record({ deliveryId, eventId, endpoint, attempt, status: 0, at: arrived, signatureOk, peer });
        return;
      }
    }
    if (plan.delayMs) await new Promise((r) => setTimeout(r, plan.delayMs));
    this.record({ deliveryId, eventId, endpoint, attempt, status: plan.status, at: arrived, signatureOk, peer });
    if (!res.destroyed) res.writeHead(plan.status, { 'content-type': 'text/plain' }).end(plan.status < 300 ? 'ok' : 'not now');
  }

  private record(r: Receipt): void {
    this.receipts.push(r);
    appendFileSync(this.file, `${JSON.stringify(r)}\n`);
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((ok) => s.close(() => ok()));
  }
}

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

/**
 * Finds the process on the other end of a loopback connection: the client's port in
 * /proc/net/tcp gives the socket inode, and the inode is looked up among the file
 * descriptors of the processes the harness started.
 */
async function attributeConnection(socket: Socket, pids: Map<number, string>): Promise<string> {
  const clientPort = socket.remotePort;
  const serverPort = socket.localPort;
  if (!clientPort || !serverPort) return 'unknown';
  for (let tries = 0; tries < 3; tries++) {
    const inode = socketInode(clientPort, serverPort);
    if (inode) {
      for (const [pid, name] of pids) {
        if (processHasSocket(pid, inode)) return name;
      }
      return 'other';
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return 'unknown';
}

function socketInode(localPort: number, remotePort: number): string | undefined {
  const hex = (p: number): string => p.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (f[1].endsWith(`:${hex(localPort)}`) && f[2].endsWith(`:${hex(remotePort)}`)) return f[9];
    }
  }
  return undefined;
}

function processHasSocket(pid: number, inode: string): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  const want = `socket:[${inode}]`;
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === want) return true;
    } catch {
      // the descriptor closed meanwhile
    }
  }
  return false;
}
