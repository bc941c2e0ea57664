export { DeliveriesModule } from './deliveries.module';
export { DeliveriesService } from './deliveries.service';
export { DeliveriesController } from './deliveries.controller';
export { DeliveryProcessor } from './delivery.processor';
export { Sweeper } from './sweeper';
