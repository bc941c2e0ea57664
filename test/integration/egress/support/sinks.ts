import { AddressInfo, createServer, Server, Socket } from 'node:net';

/**
 * A TCP listener that echoes what it gets and counts who connected: the evidence that
 * a tunnel reached it, or that a denied target was never dialled.
 */
export class Sink {
  connections = 0;
  readonly peers: string[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  port = 0;

  constructor(readonly host: string) {
    this.server = createServer((socket) => {
      this.connections++;
      this.peers.push(`${socket.remoteAddress}:${socket.remotePort}`);
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.pipe(socket);
    });
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** The EGRESS_ALLOW pair that lets the proxy reach this sink. */
  get pair(): string {
    return this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  reset(): void {
    this.connections = 0;
    this.peers.length = 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function startSinks(hosts: readonly string[], port = 0): Promise<Sink[]> {
  const sinks: Sink[] = [];
  for (const host of hosts) sinks.push(await new Sink(host).start(port));
  return sinks;
}

/** A port that was free a moment ago (for settings that cannot be 0). */
export { freePort } from '../../../../libs/testing/ports';
