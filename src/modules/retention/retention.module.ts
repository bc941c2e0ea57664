import { Module } from '@nestjs/common';
import { DeliveriesModule } from '../deliveries';
import { EventsModule } from '../events';
import { MetaEventsModule } from '../meta-events';
import { ProjectsModule } from '../projects';
import { RetentionRunner } from './retention.runner';

/**
 * Retention: removes what is older than each project's policy by calling each owner's
 * purge (deliveries, events, meta events); it writes no table itself.
 */
@Module({
  imports: [ProjectsModule, DeliveriesModule, EventsModule, MetaEventsModule],
  providers: [RetentionRunner],
  exports: [RetentionRunner],
})
export class RetentionModule {}
