import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects';
import { WebhookHttpModule } from '../webhook-http';
import { MetaEventSender } from './meta-event.sender';
import { MetaEventsModule } from './meta-events.module';

/** Worker duty `meta-events`: sends due meta events, signed, with retries. */
@Module({
  imports: [MetaEventsModule, ProjectsModule, WebhookHttpModule],
  providers: [MetaEventSender],
})
export class MetaEventsWorkerModule {}
