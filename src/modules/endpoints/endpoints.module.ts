import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BreakerStateReader } from '../../../libs/endpoint-health';
import { InstanceModule } from '../instance';
import { ProjectsModule } from '../projects';
import { WebhookHttpModule } from '../webhook-http';
import { EndpointEvents } from './endpoint-events';
import { EndpointEntity } from './endpoint.entity';
import { EndpointPresenter } from './endpoint.presenter';
import { EndpointsRepository } from './endpoints.repository';
import { EndpointsService } from './endpoints.service';
import { OAuth2Tokens } from './oauth2/oauth2-tokens';

@Module({
  imports: [TypeOrmModule.forFeature([EndpointEntity]), ProjectsModule, InstanceModule, WebhookHttpModule],
  providers: [EndpointsRepository, EndpointsService, EndpointEvents, EndpointPresenter, BreakerStateReader, OAuth2Tokens],
  exports: [EndpointsService, EndpointEvents, EndpointPresenter, BreakerStateReader],
})
export class EndpointsModule {}
