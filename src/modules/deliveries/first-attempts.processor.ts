import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Worker } from 'bullmq';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { QUEUES, startQueueWorker } from '../../../libs/queue';
import type { DeliveryJob } from '../delivery-queue';
import { DeliveryDispatcher } from './dispatch/delivery-dispatcher';
import { deliveryJobRunner } from './dispatch/delivery-job-runner';

/** The consumer of the `deliveries` queue (first attempts), WORKER_CONCURRENCY at a time. */
@Injectable()
export class FirstAttemptsProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(FirstAttemptsProcessor.name);
  private worker?: Worker<DeliveryJob>;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly dispatcher: DeliveryDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = startQueueWorker(this.config, QUEUES.deliveries, deliveryJobRunner(this.dispatcher, 'first'), this.config.workerConcurrency, this.logger);
    this.logger.log(`consuming ${QUEUES.deliveries} (concurrency ${this.config.workerConcurrency})`);
  }

  /** Stops taking jobs and waits for the ones in flight, so SIGTERM loses no attempt record. */
  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
