export { DeliveriesModule } from './deliveries.module';
export { DeliveriesWorkerModule } from './deliveries.worker.module';
export { DeliveriesService } from './deliveries.service';
export { DeliveriesRetention } from './deliveries-retention';
export { DeliveriesController } from './deliveries.controller';
export { FailureRatesController } from './failure-rates.controller';
export { Sweeper } from './sweeper';
