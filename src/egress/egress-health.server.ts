import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CARAVAN_CONFIG, CaravanConfig } from '../../libs/config';
import { metricsAllowed } from '../../libs/observability/metrics-access';
import { startSidePort, stopSidePort } from '../app/side-port';
import { EgressMetrics } from './egress-metrics';
import { EgressProxyServer } from './egress-proxy.server';
import { SelfAddresses } from './self-addresses';

/** Liveness, readiness (503 while draining) and Prometheus metrics on EGRESS_HEALTH_PORT. */
@Injectable()
export class EgressHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly proxy: EgressProxyServer,
    private readonly metrics: EgressMetrics,
    private readonly self: SelfAddresses,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = await startSidePort(this.config.egressHost, this.config.egressHealthPort, {
      '/health/live': () => Promise.resolve({ status: 200, body: { status: 'ok' } }),
      '/health/ready': () => Promise.resolve(this.proxy.isReady() ? { status: 200, body: { status: 'ok' } } : { status: 503, body: { status: 'unavailable' } }),
      '/metrics': async (req) =>
        metricsAllowed(this.config.metricsToken, req.headers.authorization, false)
          ? { status: 200, body: await this.metrics.render(), contentType: this.metrics.registry.contentType }
          : { status: 401, body: { status: 'unauthorized' } },
    });
    const bound = this.server?.address() as AddressInfo | undefined;
    if (bound) this.self.add(bound.address, bound.port);
  }

  /** Where the side port listens, when it is on. */
  address(): { host: string; port: number } | undefined {
    const bound = this.server?.address() as AddressInfo | undefined;
    return bound ? { host: bound.address, port: bound.port } : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await stopSidePort(this.server);
  }
}
