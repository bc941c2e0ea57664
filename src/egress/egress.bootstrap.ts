import { NestFactory } from '@nestjs/core';
import type { CaravanConfig } from '../../libs/config';
import { QuietStartupLogger } from '../../libs/observability/quiet-startup-logger';
import { EgressHealthServer } from './egress-health.server';
import { EGRESS_LOGGER, EgressNestLogger } from './egress-logger';
import { EgressProxyServer } from './egress-proxy.server';
import { EgressModule, EgressOverrides } from './egress.module';

export interface EgressApp {
  /** drains tunnels (up to the shutdown grace), then stops both listeners */
  close(): Promise<void>;
  /** the proxy's bound address, e.g. to learn the port when EGRESS_PORT=0 */
  address(): { host: string; port: number };
  /** the health/metrics side port, when EGRESS_HEALTH_PORT is not 0 */
  healthAddress(): { host: string; port: number } | undefined;
}

/**
 * Starts the egress CONNECT proxy as a Nest application context (no HTTP framework:
 * the module owns a node:http server's `connect` handler).
 */
export async function createEgressApp(config: CaravanConfig, overrides: EgressOverrides = {}): Promise<EgressApp> {
  // abortOnError off: a bad setting should reach the caller as an error, not end the process
  const app = await NestFactory.createApplicationContext(EgressModule.forRoot(config, overrides), { bufferLogs: true, abortOnError: false });
  app.useLogger(new QuietStartupLogger(new EgressNestLogger(app.get(EGRESS_LOGGER))));
  const proxy = app.get(EgressProxyServer);
  const health = app.get(EgressHealthServer);
  return { close: () => app.close(), address: () => proxy.address(), healthAddress: () => health.address() };
}
