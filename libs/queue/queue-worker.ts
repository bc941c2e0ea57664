import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Processor, Worker } from 'bullmq';
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import type { CaravanConfig } from '../config';
import { bullPrefix } from './queue.module';
import type { QueueName } from './queue-names';
import { redisConnectionOptions, RedisConnectionConfig } from './redis-connection';

/**
 * A BullMQ consumer of one queue with Caravan's settings: its own blocking connection
 * (no request limit, as BullMQ requires), the instance's key prefix, and failures logged
 * rather than thrown, since PostgreSQL holds the record and the sweepers retry.
 */
export function startQueueWorker<T>(
  config: RedisConnectionConfig & Pick<CaravanConfig, 'redisPrefix'>,
  queue: QueueName,
  processor: Processor<T>,
  concurrency: number,
  logger: Logger,
): Worker<T> {
  const connection = redisConnectionOptions(config, { maxRetriesPerRequest: null }) as BullRedisOptions;
  const worker = new Worker<T>(queue, processor, { connection, prefix: bullPrefix(config), autorun: true, concurrency });
  worker.on('failed', (job, err) => logger.warn({ queue, jobId: job?.id, err: err.message }, 'job failed; the sweeper will retry it'));
  worker.on('error', (err) => logger.warn({ queue, err: err.message }, 'queue worker error'));
  return worker;
}

/**
 * The processor of one queue: consumes it from bootstrap, and on shutdown stops taking
 * jobs and waits for the ones in flight, so SIGTERM loses no attempt record. A subclass
 * names the queue, its concurrency and what one job does.
 */
export abstract class QueueProcessor<T> implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private worker?: Worker<T>;

  protected constructor(
    private readonly queue: QueueName,
    private readonly queueConfig: RedisConnectionConfig & Pick<CaravanConfig, 'redisPrefix'>,
  ) {}

  protected abstract concurrency(): number;
  protected abstract process(job: Job<T>, token?: string): Promise<void>;

  onApplicationBootstrap(): void {
    const concurrency = this.concurrency();
    this.worker = startQueueWorker(this.queueConfig, this.queue, (job: Job<T>, token?: string) => this.process(job, token), concurrency, this.logger);
    this.logger.log(`consuming ${this.queue} (concurrency ${concurrency})`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.close();
  }
}
