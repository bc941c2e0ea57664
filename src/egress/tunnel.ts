import { connect, Socket } from 'node:net';

export class DialError extends Error {
  constructor(
    readonly timedOut: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'DialError';
  }
}

/** Connects to a vetted literal; never a name, so nothing is resolved a second time. */
export function dial(ip: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ip, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DialError(true, `connect to ${ip}:${port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new DialError(false, `connect to ${ip}:${port} failed: ${e.code ?? e.message}`));
    });
  });
}

export type TunnelEnd = 'closed' | 'idle' | 'max-duration' | 'error' | 'shutdown';

export interface TunnelStats {
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly end: TunnelEnd;
}

export interface TunnelLimits {
  readonly idleMs: number;
  readonly maxMs: number;
}

/**
 * Bytes both ways between the caller and the target until either side closes, nothing
 * moves for `idleMs`, or `maxMs` passes. Pipes keep backpressure; half-closes pass
 * through so request/response protocols finish cleanly.
 */
export class Tunnel {
  readonly done: Promise<TunnelStats>;
  private bytesUp = 0;
  private bytesDown = 0;
  private end: TunnelEnd = 'closed';
  private readonly maxTimer: NodeJS.Timeout;

  constructor(
    private readonly client: Socket,
    private readonly upstream: Socket,
    head: Buffer,
    limits: TunnelLimits,
  ) {
    this.done = new Promise((resolve) => {
      let open = 2;
      const closed = (): void => {
        if (--open > 0) return;
        clearTimeout(this.maxTimer);
        resolve({ bytesUp: this.bytesUp, bytesDown: this.bytesDown, end: this.end });
      };
      client.once('close', closed);
      upstream.once('close', closed);
    });
    this.maxTimer = setTimeout(() => this.destroy('max-duration'), limits.maxMs);
    for (const socket of [client, upstream]) {
      socket.setTimeout(limits.idleMs, () => this.destroy('idle'));
      socket.on('error', () => this.destroy('error'));
    }
    client.on('data', (chunk: Buffer) => (this.bytesUp += chunk.length));
    upstream.on('data', (chunk: Buffer) => (this.bytesDown += chunk.length));
    if (head.length > 0) {
      this.bytesUp += head.length;
      upstream.write(head);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  destroy(reason: TunnelEnd): void {
    if (this.client.destroyed && this.upstream.destroyed) return;
    if (this.end === 'closed') this.end = reason;
    this.client.destroy();
    this.upstream.destroy();
  }
}
