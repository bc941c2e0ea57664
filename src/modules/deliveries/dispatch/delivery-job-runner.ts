import { DelayedError, Job } from 'bullmq';
import { contextFromTraceparent, inSpan, SpanKind } from '../../../../libs/observability/tracing';
import type { DeferralHints, DeliveryJob } from '../../delivery-queue';
import type { DeliveryDispatcher, Lane } from './delivery-dispatcher';

/**
 * Runs one job of the `deliveries` or `retries` queue. A short deferral moves the running
 * job back to delayed with its hints (no PostgreSQL write) and tells BullMQ it was moved,
 * not finished. With tracing on, the run is a span in the trace the job carries (the
 * event's ingest, or the attempt before a retry).
 */
export function deliveryJobRunner(dispatcher: DeliveryDispatcher, lane: Lane): (job: Job<DeliveryJob>, token?: string) => Promise<void> {
  return (job, token) =>
    inSpan(
      'caravan.delivery',
      {
        kind: SpanKind.CONSUMER,
        parent: contextFromTraceparent(job.data.traceparent),
        attributes: {
          'caravan.delivery_id': job.data.deliveryId,
          'caravan.endpoint_id': job.data.endpointId,
          'caravan.lane': lane,
          'caravan.deferrals': job.data.deferrals ?? 0,
        },
        expected: (e) => e instanceof DelayedError,
      },
      () => run(dispatcher, lane, job, token),
    );
}

function run(dispatcher: DeliveryDispatcher, lane: Lane, job: Job<DeliveryJob>, token: string | undefined): Promise<void> {
  return dispatcher.deliver(
    job.data,
    async (delayMs: number, hints: DeferralHints): Promise<never> => {
      await job.updateData({ ...job.data, ...hints });
      await job.moveToDelayed(Date.now() + delayMs, token);
      throw new DelayedError();
    },
    lane,
  );
}
