import { Module } from '@nestjs/common';
import { EndpointHealthModule } from '../endpoint-health';
import { FunctionsModule } from '../functions';
import { MetaEventsModule } from '../meta-events';
import { WebhookHttpModule } from '../webhook-http';
import { DeliveriesCoreModule } from './deliveries-core.module';
import { DeliveryDispatcher } from './dispatch/delivery-dispatcher';
import { DeliveryRecorder } from './dispatch/delivery-recorder';
import { FirstAttemptsProcessor } from './first-attempts.processor';
import { RetriesProcessor } from './retries.processor';
import { Sweeper } from './sweeper';

/**
 * Worker duty `deliveries`: consumes the `deliveries` and `retries` queues (gate, claim,
 * transform, sign, send, record) and runs the delivery sweeper.
 */
@Module({
  imports: [DeliveriesCoreModule, EndpointHealthModule, MetaEventsModule, WebhookHttpModule, FunctionsModule],
  providers: [DeliveryDispatcher, DeliveryRecorder, FirstAttemptsProcessor, RetriesProcessor, Sweeper],
  exports: [Sweeper],
})
export class DeliveriesWorkerModule {}
