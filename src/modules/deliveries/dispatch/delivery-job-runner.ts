import { DelayedError, Job } from 'bullmq';
import type { DeferralHints, DeliveryJob } from '../../delivery-queue';
import type { DeliveryDispatcher, Lane } from './delivery-dispatcher';

/**
 * Runs one job of the `deliveries` or `retries` queue. A short deferral moves the running
 * job back to delayed with its hints (no PostgreSQL write) and tells BullMQ it was moved,
 * not finished.
 */
export function deliveryJobRunner(dispatcher: DeliveryDispatcher, lane: Lane): (job: Job<DeliveryJob>, token?: string) => Promise<void> {
  return (job, token) =>
    dispatcher.deliver(
      job.data,
      async (delayMs: number, hints: DeferralHints): Promise<never> => {
        await job.updateData({ ...job.data, ...hints });
        await job.moveToDelayed(Date.now() + delayMs, token);
        throw new DelayedError();
      },
      lane,
    );
}
