import { Module } from '@nestjs/common';
import { SourcesModule } from '../sources';
import { EventsCoreModule } from './events-core.module';
import { EventsService } from './events.service';
import { IngestEvent } from './ingest/ingest-event';

/** Events: the ingest use case (the one way in), reads and replays. */
@Module({
  imports: [EventsCoreModule, SourcesModule],
  providers: [EventsService, IngestEvent],
  exports: [EventsService, IngestEvent],
})
export class EventsModule {}
