import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveryQueueModule } from '../delivery-queue';
import { EndpointsModule } from '../endpoints';
import { ProjectsModule } from '../projects';
import { AttemptEntity } from './attempt.entity';
import { DeliveryStateRepository } from './delivery-state.repository';
import { DeliveryEntity } from './delivery.entity';

/**
 * The deliveries module's internals shared by its api face (DeliveriesModule) and its
 * worker duty (DeliveriesWorkerModule). Not exported from index.ts.
 */
@Module({
  imports: [TypeOrmModule.forFeature([DeliveryEntity, AttemptEntity]), ProjectsModule, EndpointsModule, DeliveryQueueModule],
  providers: [DeliveryStateRepository],
  exports: [TypeOrmModule, DeliveryStateRepository, ProjectsModule, EndpointsModule, DeliveryQueueModule],
})
export class DeliveriesCoreModule {}
