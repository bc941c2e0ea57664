import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DelayedError, Job, Worker } from 'bullmq';
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { bullPrefix, QUEUES, redisOptionsFromUrl } from '../../../libs/queue';
import { DeliveryDispatcher } from './delivery-dispatcher';
import type { DeferralHints, DeliveryJob } from './delivery.producer';
import { EventRouter } from './routing/event-router';

/**
 * The worker role's BullMQ consumers: routing, first attempts and retries, each with its
 * own concurrency so retries can never starve first attempts. Registered by the worker
 * root only; the api role never consumes.
 */
@Injectable()
export class DeliveryProcessor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryProcessor.name);
  private workers: Worker[] = [];

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly router: EventRouter,
    private readonly dispatcher: DeliveryDispatcher,
  ) {}

  onApplicationBootstrap(): void {
    const connection = redisOptionsFromUrl(this.config.redisUrl, { maxRetriesPerRequest: null }) as BullRedisOptions;
    const common = { connection, prefix: bullPrefix(this.config), autorun: true };
    const concurrency = this.config.workerConcurrency;
    this.workers = [
      new Worker<{ eventId: string }>(
        QUEUES.routing,
        async (job: Job<{ eventId: string }>) => {
          await this.router.route(job.data.eventId);
        },
        { ...common, concurrency: Math.max(4, Math.ceil(concurrency / 2)) },
      ),
      new Worker<DeliveryJob>(QUEUES.deliveries, (job: Job<DeliveryJob>, token?: string) => this.deliver(job, token), { ...common, concurrency }),
      new Worker<DeliveryJob>(QUEUES.retries, (job: Job<DeliveryJob>, token?: string) => this.deliver(job, token), {
        ...common,
        concurrency: Math.max(1, Math.ceil(concurrency / 2)),
      }),
    ];
    for (const w of this.workers) {
      w.on('failed', (job, err) => this.logger.warn({ queue: w.name, jobId: job?.id, err: err.message }, 'job failed; the sweeper will retry it'));
      w.on('error', (err) => this.logger.warn({ queue: w.name, err: err.message }, 'queue worker error'));
    }
    this.logger.log(`consuming ${Object.values(QUEUES).join(', ')} (concurrency ${concurrency})`);
  }

  private deliver(job: Job<DeliveryJob>, token: string | undefined): Promise<void> {
    return this.dispatcher.deliver(job.data, async (delayMs: number, hints: DeferralHints): Promise<never> => {
      await job.updateData({ ...job.data, ...hints });
      await job.moveToDelayed(Date.now() + delayMs, token);
      // tells BullMQ the job was moved, not finished
      throw new DelayedError();
    });
  }

  /** Stops taking jobs and waits for the ones in flight, so SIGTERM loses no attempt record. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
