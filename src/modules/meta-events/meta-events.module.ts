import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints';
import { ProjectsModule } from '../projects';
import { MetaEventsRepository } from './meta-events.repository';
import { MetaEventsRetention } from './meta-events-retention';
import { MetaEventsService } from './meta-events.service';

/**
 * Meta events: stored here, listed and resent through the API; MetaEventSender (the
 * `meta-events` worker duty, MetaEventsWorkerModule) sends them. Sits beside events: it
 * listens to endpoints and is called by deliveries.
 */
@Module({
  imports: [ProjectsModule, EndpointsModule],
  providers: [MetaEventsRepository, MetaEventsService, MetaEventsRetention],
  exports: [MetaEventsService, MetaEventsRetention],
})
export class MetaEventsModule {}
