import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../../libs/config';
import { QueueProcessor, QUEUES } from '../../../../libs/queue';
import { EventRouter } from './event-router';
import type { RoutingJob } from './routing.queue';

/** The consumer of the `routing` queue (worker duty `routing`). */
@Injectable()
export class RoutingProcessor extends QueueProcessor<RoutingJob> {
  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly router: EventRouter,
  ) {
    super(QUEUES.routing, config);
  }

  protected concurrency(): number {
    return Math.max(4, Math.ceil(this.config.workerConcurrency / 2));
  }

  protected async process(job: Job<RoutingJob>): Promise<void> {
    await this.router.route(job.data.eventId);
  }
}
