export { DeliveriesModule } from './deliveries.module';
export { DeliveriesWorkerModule } from './deliveries.worker.module';
export { DeliveriesService } from './deliveries.service';
export { DeliveriesController } from './deliveries.controller';
export { FailureRatesController } from './failure-rates.controller';
export { Sweeper } from './sweeper';
