import { Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import { Agent, Dispatcher } from 'undici';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { createGuardedConnect } from '../../../libs/ssrf';
import { createProxyConnect } from './proxy-connect';

export const WEBHOOK_DISPATCHER = Symbol('WEBHOOK_DISPATCHER');

const CONNECT_TIMEOUT_MS = 10_000;

export type DispatcherConfig = Pick<CaravanConfig, 'egressProxyUrl' | 'egressAllow'>;

/** A client certificate (PEM) presented on TLS connections to one endpoint. */
export interface ClientCertificate {
  cert: string;
  key: string;
}

/**
 * The one HTTP client of the worker: keep-alive pools per origin, environment proxies
 * ignored. With EGRESS_PROXY_URL every connection is a CONNECT tunnel through the egress
 * proxy (never a direct fallback); without it the SSRF policy runs at dial time. With a
 * client certificate the pool is one endpoint's own (see ClientCertDispatchers).
 */
export function createWebhookDispatcher(config: DispatcherConfig, clientCertificate?: ClientCertificate, connections = 128): Dispatcher {
  const connect = config.egressProxyUrl
    ? createProxyConnect({ proxyUrl: config.egressProxyUrl, connectTimeoutMs: CONNECT_TIMEOUT_MS, clientCertificate })
    : createGuardedConnect({
        allow: config.egressAllow,
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        connector: clientCertificate ? { cert: clientCertificate.cert, key: clientCertificate.key } : undefined,
      });
  return new Agent({ connect, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections, pipelining: 1 });
}

@Injectable()
class DispatcherCloser implements OnApplicationShutdown {
  constructor(private readonly dispatcher: Dispatcher) {}
  async onApplicationShutdown(): Promise<void> {
    await this.dispatcher.close().catch(() => undefined);
  }
}

export const webhookDispatcherProvider: Provider = {
  provide: WEBHOOK_DISPATCHER,
  inject: [CARAVAN_CONFIG],
  useFactory: (config: CaravanConfig): Dispatcher => createWebhookDispatcher(config),
};

export const dispatcherCloserProvider: Provider = {
  provide: DispatcherCloser,
  inject: [WEBHOOK_DISPATCHER],
  useFactory: (d: Dispatcher) => new DispatcherCloser(d),
};
