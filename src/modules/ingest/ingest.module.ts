import { Module } from '@nestjs/common';
import { EventsModule } from '../events';
import { ProjectsModule } from '../projects';
import { SourcesModule } from '../sources';
import { IngestGate } from './ingest-gate';
import { IngestGuards } from './ingest-guards';
import { ReceiveWebhook } from './receive-webhook';

@Module({
  imports: [SourcesModule, ProjectsModule, EventsModule],
  providers: [IngestGate, IngestGuards, ReceiveWebhook],
  exports: [IngestGate, ReceiveWebhook],
})
export class IngestModule {}
