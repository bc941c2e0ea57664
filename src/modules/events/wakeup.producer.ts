import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { deliveryJobId, DeliveryWakeup, QUEUES } from '../../../libs/queue';

/**
 * Wake-ups for work committed in PostgreSQL by ingest: first attempts of the deliveries it
 * wrote, and the router for events it left unrouted (replays). Best effort by design: when
 * Redis is away an add fails fast and the sweeper finds the work instead.
 */
@Injectable()
export class WakeupProducer {
  private readonly logger = new Logger(WakeupProducer.name);
  private lastWarn = 0;

  constructor(
    @InjectQueue(QUEUES.routing) private readonly routing: Queue,
    @InjectQueue(QUEUES.deliveries) private readonly deliveries: Queue<DeliveryWakeup>,
  ) {}

  wake(eventIds: string[]): void {
    if (eventIds.length === 0) return;
    const jobs = eventIds.map((eventId) => ({ name: 'route', data: { eventId }, opts: { jobId: eventId, removeOnComplete: true, removeOnFail: true } }));
    this.routing.addBulk(jobs).catch((e: unknown) => this.warn('routing', e));
  }

  wakeDeliveries(items: { id: string; endpointId: string }[]): void {
    if (items.length === 0) return;
    const jobs = items.map((d) => ({
      name: 'deliver',
      data: { deliveryId: d.id, generation: 0, endpointId: d.endpointId },
      opts: { jobId: deliveryJobId(d.id, 0), removeOnComplete: true, removeOnFail: true },
    }));
    this.deliveries.addBulk(jobs).catch((e: unknown) => this.warn('deliveries', e));
  }

  private warn(what: string, e: unknown): void {
    const now = Date.now();
    if (now - this.lastWarn > 10_000) {
      this.lastWarn = now;
      this.logger.warn(`could not enqueue ${what} (the sweeper will): ${(e as Error).message}`);
    }
  }
}
