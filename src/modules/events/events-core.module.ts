import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveryQueueModule } from '../delivery-queue';
import { EndpointsModule } from '../endpoints';
import { ProjectsModule } from '../projects';
import { SubscriptionsModule } from '../subscriptions';
import { EventEntity } from './event.entity';
import { EventWriter } from './event-writer';
import { EventsRepository } from './events.repository';
import { EventRouter } from './routing/event-router';
import { RoutingQueue } from './routing/routing.queue';

/**
 * The events module's internals, shared by its api face (EventsModule) and its worker
 * duty (EventsWorkerModule). Not exported from index.ts: nothing outside events uses it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([EventEntity]), ProjectsModule, EndpointsModule, SubscriptionsModule, DeliveryQueueModule],
  providers: [EventsRepository, EventWriter, RoutingQueue, EventRouter],
  exports: [EventsRepository, EventWriter, RoutingQueue, EventRouter, ProjectsModule, EndpointsModule, SubscriptionsModule, DeliveryQueueModule],
})
export class EventsCoreModule {}
