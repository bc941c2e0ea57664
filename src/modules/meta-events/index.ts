export { MetaEventsModule } from './meta-events.module';
export { MetaEventsService, META_EVENT_TYPES } from './meta-events.service';
export { MetaEventsRetention } from './meta-events-retention';
export type { MetaEventType } from './meta-events.service';
export { MetaEventsController } from './meta-events.controller';
export type { MetaEventRow, MetaEventAttempt, MetaEventStatus } from './meta-events.repository';
export { MetaEventsWorkerModule } from './meta-events.worker.module';
export { MetaEventSender, metaEventHeaders } from './meta-event.sender';
