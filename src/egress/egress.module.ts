import { DynamicModule, Module } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig, ConfigModule } from '../../libs/config';
import { createDnsResolver, EgressResolver } from './dns-resolver';
import { EgressGate } from './egress-gate';
import { EgressHealthServer } from './egress-health.server';
import { createEgressLogger, EGRESS_LOGGER } from './egress-logger';
import { EgressMetrics } from './egress-metrics';
import { EgressProxyServer } from './egress-proxy.server';
import { DEFAULT_EGRESS_OPTIONS, EGRESS_OPTIONS, EGRESS_RESOLVER, EgressOptions } from './egress.tokens';
import { SelfAddresses } from './self-addresses';

export interface EgressOverrides {
  resolver?: EgressResolver;
  options?: Partial<EgressOptions>;
}

/** The egress role: config, its logger and the proxy; no database, no queues, no API. */
@Module({})
export class EgressModule {
  static forRoot(config: CaravanConfig, overrides: EgressOverrides = {}): DynamicModule {
    return {
      module: EgressModule,
      imports: [ConfigModule.forRoot(config)],
      providers: [
        {
          provide: EGRESS_RESOLVER,
          inject: [CARAVAN_CONFIG],
          useFactory: (c: CaravanConfig): EgressResolver => overrides.resolver ?? createDnsResolver(c.egressDnsServers, c.egressConnectTimeoutMs),
        },
        { provide: EGRESS_LOGGER, inject: [CARAVAN_CONFIG], useFactory: (c: CaravanConfig) => createEgressLogger(c.logLevel) },
        { provide: EGRESS_OPTIONS, useValue: { ...DEFAULT_EGRESS_OPTIONS, ...overrides.options } },
        SelfAddresses,
        EgressMetrics,
        EgressGate,
        EgressProxyServer,
        EgressHealthServer,
      ],
    };
  }
}
