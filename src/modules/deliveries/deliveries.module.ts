import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EndpointHealthModule, ExpiredSecretPurger } from '../endpoint-health';
import { EndpointsModule } from '../endpoints';
import { EventsModule } from '../events';
import { MetaEventsModule } from '../meta-events';
import { ProjectsModule } from '../projects';
import { SubscriptionsModule } from '../subscriptions';
import { AttemptEntity } from './attempt.entity';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesService } from './deliveries.service';
import { DeliveryDispatcher } from './delivery-dispatcher';
import { DeliveryStateRepository } from './delivery-state.repository';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryProducer } from './delivery.producer';
import { DeliveryProcessor } from './delivery.processor';
import { dispatcherCloserProvider, webhookDispatcherProvider } from './http/dispatcher.provider';
import { MetaEventSender } from './meta/meta-event.sender';
import { EventRouter } from './routing/event-router';
import { Sweeper } from './sweeper';

/**
 * Deliveries: routing, sending, recovery. The api root registers the controller; the
 * worker root registers DeliveryProcessor and runs the Sweeper.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([DeliveryEntity, AttemptEntity]),
    ProjectsModule,
    EndpointsModule,
    EndpointHealthModule,
    SubscriptionsModule,
    EventsModule,
    MetaEventsModule,
  ],
  providers: [DeliveriesRepository, DeliveryStateRepository, DeliveryProducer, DeliveriesService],
  exports: [DeliveriesService],
})
export class DeliveriesModule {
  /** The worker's variant: adds the consumers, the sender and the sweeper. */
  static forWorker(): DynamicModule {
    return {
      module: DeliveriesModule,
      providers: [
        EventRouter,
        DeliveryDispatcher,
        webhookDispatcherProvider,
        dispatcherCloserProvider,
        DeliveryProcessor,
        Sweeper,
        MetaEventSender,
        ExpiredSecretPurger,
      ],
      exports: [Sweeper, DeliveryDispatcher],
    };
  }
}
