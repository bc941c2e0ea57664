import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QUEUES } from '../../../libs/queue';

/**
 * Wakes the router for an event committed in PostgreSQL. Best effort by design: when
 * Redis is away the add fails fast and the sweeper finds the unrouted event instead.
 */
@Injectable()
export class RoutingProducer {
  private readonly logger = new Logger(RoutingProducer.name);
  private lastWarn = 0;

  constructor(@InjectQueue(QUEUES.routing) private readonly queue: Queue) {}

  wake(eventIds: string[]): void {
    if (eventIds.length === 0) return;
    const jobs = eventIds.map((eventId) => ({ name: 'route', data: { eventId }, opts: { jobId: eventId, removeOnComplete: true, removeOnFail: true } }));
    this.queue.addBulk(jobs).catch((e: unknown) => {
      const now = Date.now();
      if (now - this.lastWarn > 10_000) {
        this.lastWarn = now;
        this.logger.warn(`could not enqueue routing (the sweeper will): ${(e as Error).message}`);
      }
    });
  }
}
