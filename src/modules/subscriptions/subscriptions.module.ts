import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EndpointsModule } from '../endpoints';
import { FunctionsModule } from '../functions';
import { ProjectsModule } from '../projects';
import { SubscriptionEntity } from './subscription.entity';
import { SubscriptionPresenter } from './subscription.presenter';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsService } from './subscriptions.service';
import { OnboardService } from './onboard/onboard.service';

@Module({
  imports: [TypeOrmModule.forFeature([SubscriptionEntity]), ProjectsModule, EndpointsModule, FunctionsModule],
  providers: [SubscriptionsRepository, SubscriptionsService, SubscriptionPresenter, OnboardService],
  exports: [SubscriptionsService, SubscriptionPresenter, OnboardService],
})
export class SubscriptionsModule {}
