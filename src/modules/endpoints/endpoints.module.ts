import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InstanceModule } from '../instance';
import { ProjectsModule } from '../projects';
import { EndpointEvents } from './endpoint-events';
import { EndpointEntity } from './endpoint.entity';
import { EndpointPresenter } from './endpoint.presenter';
import { EndpointsRepository } from './endpoints.repository';
import { EndpointsService } from './endpoints.service';

@Module({
  imports: [TypeOrmModule.forFeature([EndpointEntity]), ProjectsModule, InstanceModule],
  providers: [EndpointsRepository, EndpointsService, EndpointEvents, EndpointPresenter],
  exports: [EndpointsService, EndpointEvents, EndpointPresenter],
})
export class EndpointsModule {}
