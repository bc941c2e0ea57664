import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Job, Worker } from 'bullmq';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../../libs/config';
import { QUEUES, startQueueWorker } from '../../../../libs/queue';
import { EventRouter } from './event-router';
import type { RoutingJob } from './routing.queue';

/** The consumer of the `routing` queue (worker duty `routing`). */
@Injectable()
export class RoutingProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RoutingProcessor.name);
  private worker?: Worker<RoutingJob>;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly router: EventRouter,
  ) {}

  onApplicationBootstrap(): void {
    const concurrency = Math.max(4, Math.ceil(this.config.workerConcurrency / 2));
    this.worker = startQueueWorker(
      this.config,
      QUEUES.routing,
      async (job: Job<RoutingJob>) => {
        await this.router.route(job.data.eventId);
      },
      concurrency,
      this.logger,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
