import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { QUEUES, startQueueWorker } from '../../../libs/queue';
import type { DeliveryJob } from '../delivery-queue';
import { DeliveryDispatcher, retriesConcurrency } from './dispatch/delivery-dispatcher';
import { deliveryJobRunner } from './dispatch/delivery-job-runner';

/**
 * The consumer of the `retries` queue (retries and deferred attempts), with half the
 * worker's concurrency of its own, so retries can never starve first attempts.
 */
@Injectable()
export class RetriesProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetriesProcessor.name);
  private worker?: Worker<DeliveryJob>;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly dispatcher: DeliveryDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    const concurrency = retriesConcurrency(this.config.workerConcurrency);
    this.worker = startQueueWorker(this.config, QUEUES.retries, deliveryJobRunner(this.dispatcher, 'retry'), concurrency, this.logger);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
