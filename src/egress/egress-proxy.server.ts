import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger as Pino } from 'pino';
import { CARAVAN_CONFIG, CaravanConfig } from '../../libs/config';
import { EgressGate, Refusal } from './egress-gate';
import { EGRESS_LOGGER } from './egress-logger';
import { EgressMetrics } from './egress-metrics';
import { EGRESS_OPTIONS, EgressOptions } from './egress.tokens';
import { connectionEstablished, writeRawResponse } from './raw-response';
import { SelfAddresses } from './self-addresses';
import { dial, DialError, Tunnel, TunnelStats } from './tunnel';

interface TunnelRecord {
  caller: string;
  target: string;
  ip?: string;
  decision: 'allow' | 'deny' | 'error';
  class: string;
  status: number;
  reason?: string;
  bytesUp: number;
  bytesDown: number;
  end?: string;
}

const RETRY_AFTER = { 'Retry-After': '1' };

/**
 * The CONNECT proxy: a plain node:http server whose `connect` handler runs the
 * decision pipeline (EgressGate) and then pipes bytes to the vetted address.
 * It answers nothing but CONNECT.
 */
@Injectable()
export class EgressProxyServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly server: Server;
  private readonly tunnels = new Set<Tunnel>();
  private inFlight = 0;
  private settled: (() => void)[] = [];
  private draining = false;
  private cutOff = false;
  private bound?: AddressInfo;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    @Inject(EGRESS_OPTIONS) private readonly options: EgressOptions,
    private readonly gate: EgressGate,
    private readonly metrics: EgressMetrics,
    private readonly self: SelfAddresses,
    @Inject(EGRESS_LOGGER) private readonly logger: Pino,
  ) {
    this.server = createServer({ headersTimeout: 10_000, requestTimeout: 15_000, keepAliveTimeout: 5_000 });
    this.server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(405, { Allow: 'CONNECT', 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end('this is a CONNECT proxy\n');
    });
    this.server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      void this.handleConnect(req, socket, head);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.egressPort, this.config.egressHost, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.bound = this.server.address() as AddressInfo;
    this.self.add(this.bound.address, this.bound.port);
    this.logger.debug({ host: this.bound.address, port: this.bound.port }, 'egress proxy listening');
  }

  /** Where the proxy listens; with EGRESS_PORT=0 this is how a test learns the port. */
  address(): { host: string; port: number } {
    if (!this.bound) throw new Error('the egress proxy is not listening');
    return { host: this.bound.address, port: this.bound.port };
  }

  isReady(): boolean {
    return !!this.bound && !this.draining;
  }

  /** Stop accepting, let open tunnels finish for a short while, then cut what is left. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.bound) return;
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    // logged once the listening socket is gone, so "draining" means "refusing new callers"
    this.logger.info({ open: this.inFlight }, 'egress proxy draining');
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.shutdownGraceMs)));
    const finished = new Promise<void>((resolve) => (this.inFlight === 0 ? resolve() : this.settled.push(resolve)));
    await Promise.race([finished, grace]);
    clearTimeout(timer);
    this.cutOff = true;
    const cut = this.tunnels.size;
    for (const tunnel of this.tunnels) tunnel.destroy('shutdown');
    this.server.closeAllConnections();
    await closed;
    await new Promise<void>((resolve) => (this.inFlight === 0 ? resolve() : this.settled.push(resolve)));
    this.logger.info({ cut }, 'egress proxy stopped');
  }

  private async handleConnect(req: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
    const started = performance.now();
    const record: TunnelRecord = {
      caller: client.remoteAddress ?? 'unknown',
      target: req.url ?? '',
      decision: 'error',
      class: 'internal',
      status: 500,
      bytesUp: 0,
      bytesDown: 0,
    };
    // nothing is read from the caller until the target is vetted and dialled
    client.pause();
    client.on('error', () => undefined);
    let counted = false;
    try {
      if (this.draining) return this.refuse(client, record, this.unavailable('shutting-down'));
      const screened = this.gate.screen(req);
      if (screened.kind === 'refuse') return this.refuse(client, record, screened);
      if (this.inFlight >= this.config.egressMaxTunnels) return this.refuse(client, record, this.unavailable('capacity'));
      counted = true;
      this.inFlight++;
      this.metrics.activeTunnels.inc();
      await this.tunnel(client, head, screened.target, record);
    } catch (e) {
      record.reason = (e as Error).message;
      writeRawResponse(client, 500);
    } finally {
      this.log(record, started);
      // after the log line, so a drained shutdown never loses the last tunnel's line
      if (counted) this.leave();
    }
  }

  private leave(): void {
    this.inFlight--;
    this.metrics.activeTunnels.dec();
    if (this.inFlight === 0) for (const resolve of this.settled.splice(0)) resolve();
  }

  private async tunnel(client: Socket, head: Buffer, target: Parameters<EgressGate['judge']>[0], record: TunnelRecord): Promise<void> {
    const judged = await this.gate.judge(target);
    if (judged.kind === 'refuse') return this.refuse(client, record, judged);
    record.ip = judged.ip;
    let upstream: Socket;
    try {
      upstream = await dial(judged.ip, judged.port, this.config.egressConnectTimeoutMs);
    } catch (e) {
      const timedOut = e instanceof DialError && e.timedOut;
      const refusal: Refusal = {
        kind: 'refuse',
        status: timedOut ? 504 : 502,
        decision: 'error',
        cls: timedOut ? 'connect-timeout' : 'connect-failed',
        reason: (e as Error).message,
        ip: judged.ip,
      };
      return this.refuse(client, record, refusal);
    }
    if (client.destroyed || this.cutOff) {
      upstream.destroy();
      return this.refuse(client, record, this.unavailable(client.destroyed ? 'caller-gone' : 'shutting-down'));
    }
    Object.assign(record, { decision: 'allow', class: judged.cls, status: 200 });
    client.write(connectionEstablished(judged.ip));
    const tunnel = new Tunnel(client, upstream, head, { idleMs: this.config.egressIdleTimeoutMs, maxMs: this.config.egressMaxTunnelMs });
    this.tunnels.add(tunnel);
    const stats: TunnelStats = await tunnel.done;
    this.tunnels.delete(tunnel);
    Object.assign(record, { bytesUp: stats.bytesUp, bytesDown: stats.bytesDown, end: stats.end });
    this.metrics.carried(stats.bytesUp, stats.bytesDown);
  }

  private unavailable(cls: string): Refusal {
    return { kind: 'refuse', status: 503, decision: 'error', cls, reason: cls, headers: RETRY_AFTER };
  }

  private refuse(client: Socket, record: TunnelRecord, refusal: Refusal): void {
    Object.assign(record, { decision: refusal.decision, class: refusal.cls, status: refusal.status, reason: refusal.reason, ip: refusal.ip ?? record.ip });
    writeRawResponse(client, refusal.status, refusal.headers, refusal.status === 403 ? `denied: ${refusal.reason}` : refusal.reason);
  }

  private log(record: TunnelRecord, started: number): void {
    this.metrics.decision(record.decision, record.class);
    this.logger.info({ ...record, durationMs: Math.round(performance.now() - started) }, 'egress tunnel');
  }
}
