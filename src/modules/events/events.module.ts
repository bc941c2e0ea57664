import { Module } from '@nestjs/common';
import { SourcesModule } from '../sources';
import { EventsCoreModule } from './events-core.module';
import { EventsRetention } from './events-retention';
import { EventsService } from './events.service';
import { IngestEvent } from './ingest/ingest-event';

/** Events: the ingest use case (the one way in), reads and replays. */
@Module({
  imports: [EventsCoreModule, SourcesModule],
  providers: [EventsService, IngestEvent, EventsRetention],
  exports: [EventsService, IngestEvent, EventsRetention],
})
export class EventsModule {}
