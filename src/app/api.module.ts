import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CaravanConfig } from '../../libs/config';
import { HttpErrorFilter } from '../common/errors/http-exception.filter';
import { AuthGuard, AuthModule } from '../modules/auth';
import { BrokerRejectionsController, BrokersModule } from '../modules/brokers';
import { DeliveriesController, DeliveriesModule, FailureRatesController } from '../modules/deliveries';
import { EndpointsController, EndpointsModule } from '../modules/endpoints';
import { EventsController, EventsModule } from '../modules/events';
import { EventTypesController, EventTypesModule } from '../modules/event-types';
import { FunctionsController, FunctionsModule } from '../modules/functions';
import { HealthController, HealthModule } from '../modules/health';
import { IngestController, IngestModule } from '../modules/ingest';
import { InstanceModule } from '../modules/instance';
import { MetaEventsController, MetaEventsModule } from '../modules/meta-events';
import { MetricsController } from '../modules/metrics';
import { NotificationsModule } from '../modules/notifications';
import {
  PortalActivityController,
  PortalEndpointsController,
  PortalLinksController,
  PortalLinksModule,
  PortalSessionController,
} from '../modules/portal-links';
import { ApiKeysController, ProjectsController, ProjectsModule } from '../modules/projects';
import { SourcesController, SourcesModule } from '../modules/sources';
import { OnboardController, SubscriptionFiltersController, SubscriptionsController, SubscriptionsModule } from '../modules/subscriptions';
import { CoreModule } from './core.module';
import { workerDuties } from './worker.module';

export interface ApiModuleOptions {
  /**
   * The all-in-one process: the worker's consumers, sweeper and health port run in the
   * same application, sharing one PostgreSQL pool and one set of Redis connections.
   */
  withWorker?: boolean;
}

/** The api role: every controller, the auth guard and the error filter. */
@Module({})
export class ApiModule {
  static forRoot(config?: CaravanConfig, opts: ApiModuleOptions = {}): DynamicModule {
    const worker = opts.withWorker ? workerDuties(config) : { imports: [], providers: [] };
    return {
      module: ApiModule,
      imports: [
        CoreModule.forRole('api', config),
        InstanceModule,
        AuthModule,
        HealthModule,
        ProjectsModule,
        EndpointsModule,
        EventTypesModule,
        SourcesModule,
        BrokersModule,
        SubscriptionsModule,
        FunctionsModule,
        EventsModule,
        IngestModule,
        MetaEventsModule,
        DeliveriesModule,
        NotificationsModule,
        PortalLinksModule,
        ...worker.imports,
      ],
      controllers: [
        HealthController,
        ProjectsController,
        ApiKeysController,
        FailureRatesController,
        EndpointsController,
        EventTypesController,
        SourcesController,
        BrokerRejectionsController,
        SubscriptionsController,
        SubscriptionFiltersController,
        OnboardController,
        FunctionsController,
        EventsController,
        IngestController,
        DeliveriesController,
        MetaEventsController,
        PortalLinksController,
        PortalSessionController,
        PortalEndpointsController,
        PortalActivityController,
        MetricsController,
      ],
      providers: [{ provide: APP_GUARD, useExisting: AuthGuard }, { provide: APP_FILTER, useClass: HttpErrorFilter }, ...worker.providers],
    };
  }
}
