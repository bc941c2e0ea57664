export { DeliveriesModule } from './deliveries.module';
export { DeliveriesWorkerModule } from './deliveries.worker.module';
export { DeliveriesService } from './deliveries.service';
export { DeliveriesRetention } from './deliveries-retention';
export { DeliveriesController, toAttemptResponse, toDeliveryFilter, toDeliveryResponse } from './deliveries.controller';
export type { DeliveryContext } from './deliveries.controller';
export { AttemptResponseDto, BatchRetryResponseDto, DeliveriesQueryDto, DeliveryResponseDto } from './dto/delivery.dto';
export { FailureRatesController } from './failure-rates.controller';
export { Sweeper } from './sweeper';
