import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { QueueProcessor, QUEUES } from '../../../libs/queue';
import type { DeliveryJob } from '../delivery-queue';
import { DeliveryDispatcher, retriesConcurrency } from './dispatch/delivery-dispatcher';
import { deliveryJobRunner } from './dispatch/delivery-job-runner';

/**
 * The consumer of the `retries` queue (retries and deferred attempts), with half the
 * worker's concurrency of its own, so retries can never starve first attempts.
 */
@Injectable()
export class RetriesProcessor extends QueueProcessor<DeliveryJob> {
  private readonly run: (job: Job<DeliveryJob>, token?: string) => Promise<void>;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    dispatcher: DeliveryDispatcher,
  ) {
    super(QUEUES.retries, config);
    this.run = deliveryJobRunner(dispatcher, 'retry');
  }

  protected concurrency(): number {
    return retriesConcurrency(this.config.workerConcurrency);
  }

  protected process(job: Job<DeliveryJob>, token?: string): Promise<void> {
    return this.run(job, token);
  }
}
