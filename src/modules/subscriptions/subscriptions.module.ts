import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EndpointsModule } from '../endpoints';
import { ProjectsModule } from '../projects';
import { SubscriptionEntity } from './subscription.entity';
import { SubscriptionPresenter } from './subscription.presenter';
import { SubscriptionsRepository } from './subscriptions.repository';
import { SubscriptionsService } from './subscriptions.service';

@Module({
  imports: [TypeOrmModule.forFeature([SubscriptionEntity]), ProjectsModule, EndpointsModule],
  providers: [SubscriptionsRepository, SubscriptionsService, SubscriptionPresenter],
  exports: [SubscriptionsService, SubscriptionPresenter],
})
export class SubscriptionsModule {}
