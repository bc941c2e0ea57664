import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { QueueProcessor, QUEUES } from '../../../libs/queue';
import type { DeliveryJob } from '../delivery-queue';
import { DeliveryDispatcher } from './dispatch/delivery-dispatcher';
import { deliveryJobRunner } from './dispatch/delivery-job-runner';

/** The consumer of the `deliveries` queue (first attempts), WORKER_CONCURRENCY at a time. */
@Injectable()
export class FirstAttemptsProcessor extends QueueProcessor<DeliveryJob> {
  private readonly run: (job: Job<DeliveryJob>, token?: string) => Promise<void>;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    dispatcher: DeliveryDispatcher,
  ) {
    super(QUEUES.deliveries, config);
    this.run = deliveryJobRunner(dispatcher, 'first');
  }

  protected concurrency(): number {
    return this.config.workerConcurrency;
  }

  protected process(job: Job<DeliveryJob>, token?: string): Promise<void> {
    return this.run(job, token);
  }
}
