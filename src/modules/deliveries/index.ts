export { DeliveriesModule } from './deliveries.module';
export { DeliveriesWorkerModule } from './deliveries.worker.module';
export { DeliveriesService } from './deliveries.service';
export { DeliveriesController } from './deliveries.controller';
export { Sweeper } from './sweeper';
