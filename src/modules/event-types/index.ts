export { EventTypesModule } from './event-types.module';
export { EventTypesService } from './event-types.service';
export { EventTypesController } from './event-types.controller';
export { EventTypeEntity } from './event-type.entity';
