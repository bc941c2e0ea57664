export { DeliveryQueueModule } from './delivery-queue.module';
export { DeliveryQueue } from './delivery-queue';
export { DELIVERY_JOB_NAME, deliveryJobId, MAX_QUEUE_DELAY_MS } from './delivery-job';
export type { DeferralHints, DeliveryJob, Wakeable } from './delivery-job';
