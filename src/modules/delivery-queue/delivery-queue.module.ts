import { Module } from '@nestjs/common';
import { DeliveryQueue } from './delivery-queue';

/**
 * Owns the `deliveries` and `retries` queues' producer. Events (ingest, replay routing)
 * and deliveries (retries, recovery) both wake deliveries through it; the consumers are
 * the deliveries module's processors.
 */
@Module({
  providers: [DeliveryQueue],
  exports: [DeliveryQueue],
})
export class DeliveryQueueModule {}
