import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProjectsModule } from '../projects';
import { EventTypeEntity } from './event-type.entity';
import { EventTypesRepository } from './event-types.repository';
import { EventTypesService } from './event-types.service';

@Module({
  imports: [TypeOrmModule.forFeature([EventTypeEntity]), ProjectsModule],
  providers: [EventTypesRepository, EventTypesService],
  exports: [EventTypesService],
})
export class EventTypesModule {}
