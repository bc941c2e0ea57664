import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QUEUES } from '../../../../libs/queue';

/** The contract of the `routing` queue: the event to route; the router re-reads it. */
export interface RoutingJob {
  eventId: string;
}

export const ROUTING_JOB_NAME = 'route';

/**
 * The one producer of the `routing` queue: wake-ups for events left unrouted (a replay
 * pass). Best effort by design: when Redis is away an add fails fast and the unrouted
 * sweeper finds the event instead.
 */
@Injectable()
export class RoutingQueue {
  private readonly logger = new Logger(RoutingQueue.name);
  private lastWarn = 0;

  constructor(@InjectQueue(QUEUES.routing) private readonly queue: Queue<RoutingJob>) {}

  wake(eventIds: string[]): void {
    if (eventIds.length === 0) return;
    const jobs = eventIds.map((eventId) => ({
      name: ROUTING_JOB_NAME,
      data: { eventId },
      opts: { jobId: eventId, removeOnComplete: true, removeOnFail: true },
    }));
    this.queue.addBulk(jobs).catch((e: unknown) => {
      const now = Date.now();
      if (now - this.lastWarn > 10_000) {
        this.lastWarn = now;
        this.logger.warn(`could not enqueue routing (the sweeper will): ${(e as Error).message}`);
      }
    });
  }
}
