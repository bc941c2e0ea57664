import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EndpointsModule } from '../endpoints';
import { ProjectsModule } from '../projects';
import { SubscriptionsModule } from '../subscriptions';
import { EventEntity } from './event.entity';
import { EventWriter } from './event-writer';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';
import { WakeupProducer } from './wakeup.producer';

@Module({
  imports: [TypeOrmModule.forFeature([EventEntity]), ProjectsModule, EndpointsModule, SubscriptionsModule],
  providers: [EventsRepository, EventWriter, WakeupProducer, EventsService],
  exports: [EventsService],
})
export class EventsModule {}
