import { Module } from '@nestjs/common';
import { EventsCoreModule } from './events-core.module';
import { RoutingProcessor } from './routing/routing.processor';
import { UnroutedSweeper } from './routing/unrouted-sweeper';

/** Worker duty `routing`: consumes the routing queue and sweeps for unrouted events. */
@Module({
  imports: [EventsCoreModule],
  providers: [RoutingProcessor, UnroutedSweeper],
})
export class EventsWorkerModule {}
