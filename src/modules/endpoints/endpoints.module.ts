import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BreakerStateReader } from '../../../libs/endpoint-health';
import { InstanceModule } from '../instance';
import { ProjectsModule } from '../projects';
import { EndpointEvents } from './endpoint-events';
import { EndpointEntity } from './endpoint.entity';
import { EndpointPresenter } from './endpoint.presenter';
import { EndpointsRepository } from './endpoints.repository';
import { EndpointsService } from './endpoints.service';

@Module({
  imports: [TypeOrmModule.forFeature([EndpointEntity]), ProjectsModule, InstanceModule],
  providers: [EndpointsRepository, EndpointsService, EndpointEvents, EndpointPresenter, BreakerStateReader],
  exports: [EndpointsService, EndpointEvents, EndpointPresenter, BreakerStateReader],
})
export class EndpointsModule {}
