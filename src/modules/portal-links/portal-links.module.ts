import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveriesModule } from '../deliveries';
import { EndpointsModule } from '../endpoints';
import { EventsModule } from '../events';
import { ProjectsModule } from '../projects';
import { SubscriptionsModule } from '../subscriptions';
import { PortalLinkEntity, PortalLinkTokenEntity } from './portal-link.entity';
import { PortalAuthGuard } from './portal-auth.guard';
import { PortalLinkPresenter } from './portal-link.presenter';
import { PortalLinksRepository } from './portal-links.repository';
import { PortalLinksService } from './portal-links.service';

/** Portal links (`/api/v1/projects/{id}/portal-links`) and the portal API they open (`/portal-api`). */
@Module({
  imports: [
    TypeOrmModule.forFeature([PortalLinkEntity, PortalLinkTokenEntity]),
    ProjectsModule,
    EndpointsModule,
    SubscriptionsModule,
    EventsModule,
    DeliveriesModule,
  ],
  providers: [PortalLinksRepository, PortalLinksService, PortalLinkPresenter, PortalAuthGuard],
  exports: [PortalLinksService, PortalLinkPresenter, PortalAuthGuard],
})
export class PortalLinksModule {}
