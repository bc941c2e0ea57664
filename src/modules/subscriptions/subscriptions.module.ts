import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EndpointsModule } from '../endpoints';
import { FunctionsModule } from '../functions';
import { ProjectsModule } from '../projects';
import { SourcesModule } from '../sources';
import { SubscriptionFilterEntity } from './filters/subscription-filter.entity';
import { SubscriptionFiltersRepository } from './filters/subscription-filters.repository';
import { SubscriptionFiltersService } from './filters/subscription-filters.service';
import { SubscriptionEntity } from './subscription.entity';
import { SubscriptionPresenter } from './subscription.presenter';
import { SubscriptionRoutingCache } from './subscription-routing.cache';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsService } from './subscriptions.service';
import { OnboardService } from './onboard/onboard.service';

@Module({
  imports: [TypeOrmModule.forFeature([SubscriptionEntity, SubscriptionFilterEntity]), ProjectsModule, EndpointsModule, FunctionsModule, SourcesModule],
  providers: [
    SubscriptionsRepository,
    SubscriptionFiltersRepository,
    SubscriptionRoutingCache,
    SubscriptionsService,
    SubscriptionFiltersService,
    SubscriptionPresenter,
    OnboardService,
  ],
  exports: [SubscriptionsService, SubscriptionFiltersService, SubscriptionPresenter, OnboardService],
})
export class SubscriptionsModule {}
