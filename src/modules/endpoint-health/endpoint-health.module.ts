import { Module } from '@nestjs/common';
import { BreakerStateReader } from '../../../libs/endpoint-health';
import { EndpointsModule } from '../endpoints';
import { AutoDisableRepository } from './auto-disable.repository';
import { EndpointDisabler } from './endpoint-disabler';
import { EndpointGate } from './endpoint-gate';
import { EndpointHealthStore } from './endpoint-health.store';

/**
 * Endpoint isolation for the delivery worker (rate limit, concurrency cap, circuit
 * breaker, auto-disable). Sits between endpoints and deliveries; endpoints itself only
 * reads the shared breaker state through libs/endpoint-health.
 */
@Module({
  imports: [EndpointsModule],
  providers: [EndpointHealthStore, EndpointGate, AutoDisableRepository, EndpointDisabler, BreakerStateReader],
  exports: [EndpointGate, EndpointDisabler, EndpointHealthStore, BreakerStateReader],
})
export class EndpointHealthModule {}
