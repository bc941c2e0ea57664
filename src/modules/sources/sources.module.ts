import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InstanceModule } from '../instance';
import { ProjectsModule } from '../projects';
import { SourceEntity } from './source.entity';
import { SourceEvents } from './source-events';
import { SourcePresenter } from './source.presenter';
import { SourcesRepository } from './sources.repository';
import { SourcesService } from './sources.service';

@Module({
  imports: [TypeOrmModule.forFeature([SourceEntity]), ProjectsModule, InstanceModule],
  providers: [SourcesRepository, SourcesService, SourceEvents, SourcePresenter],
  exports: [SourcesService, SourceEvents, SourcePresenter],
})
export class SourcesModule {}
