import { Injectable, Logger } from '@nestjs/common';
import { DeliveryQueue } from '../../delivery-queue';
import { MetaEventsService } from '../../meta-events';
import { AttemptRecord, ClaimedDelivery, DeliveryStateRepository } from '../delivery-state.repository';
import type { Transition } from './next-state';

/**
 * Records the end of one dispatch: the attempt (if one was made) and the next state in one
 * transaction (which also settles the event when this was its last delivery in flight),
 * then a wake-up for a retry, and the `eventdelivery.*` meta event of a final outcome.
 */
@Injectable()
export class DeliveryRecorder {
  private readonly logger = new Logger(DeliveryRecorder.name);

  constructor(
    private readonly state: DeliveryStateRepository,
    private readonly queue: DeliveryQueue,
    private readonly metaEvents: MetaEventsService,
  ) {}

  async finish(d: ClaimedDelivery, owner: string, attempt: AttemptRecord | null, t: Transition): Promise<void> {
    const generation = await this.state.recordAttempt(d, owner, attempt, t);
    if (generation === undefined) {
      this.logger.warn({ deliveryId: d.id }, 'lease lost before the attempt was recorded; another worker owns the delivery now');
      return;
    }
    if (t.status === 'Retry' && t.nextAttemptAt) {
      const delay = Math.max(0, t.nextAttemptAt.getTime() - Date.now());
      await this.queue.enqueue([{ id: d.id, generation, endpoint_id: d.endpoint_id, project_id: d.project_id, attempts: d.attempts + 1 }], delay);
    }
    if (t.status === 'Success' || t.status === 'Failure') {
      await this.metaEvents.emit(d.project_id, t.status === 'Success' ? 'eventdelivery.success' : 'eventdelivery.failed', {
        uid: d.id,
        project_id: d.project_id,
        event_id: d.event_id,
        endpoint_id: d.endpoint_id,
        subscription_id: d.subscription_id,
        event_type: d.event_type,
        status: t.status,
        description: t.description,
        metadata: { num_trials: d.attempts + (attempt ? 1 : 0), retry_limit: d.retry_limit },
      });
    }
  }
}
