export { EventsModule } from './events.module';
export { EventsService } from './events.service';
export { EventsController } from './events.controller';
export type { EventEntity, EventStatus } from './event.entity';
