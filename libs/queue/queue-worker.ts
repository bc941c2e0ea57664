import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job, Processor, Worker } from 'bullmq';
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import type { CaravanConfig } from '../config';
import { bullPrefix } from './queue.module';
import type { QueueName } from './queue-names';
import { dependencyLog, isConnectionError, nestWriter } from '../observability/dependency-log';
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
  const write = nestWriter(logger);
  worker.on('error', (err) => {
    if (isConnectionError(err)) dependencyLog('redis').failed(config.redisUrl, err, write);
    else logger.warn({ queue, err: err.message }, 'queue worker error');
  });
  return worker;
}

/** How long shutdown waits for the jobs in flight while Redis is unreachable. */
export const REDIS_GONE_JOB_GRACE_MS = 10_000;

/**
 * The processor of one queue: consumes it from bootstrap, and on shutdown stops taking
 * jobs and waits for the ones in flight, so SIGTERM loses no attempt record. A subclass
 * names the queue, its concurrency and what one job does.
 */
export abstract class QueueProcessor<T> implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private worker?: Worker<T>;
  private readonly inFlight = new Set<Promise<void>>();

  protected constructor(
    private readonly queue: QueueName,
    private readonly queueConfig: RedisConnectionConfig & Pick<CaravanConfig, 'redisPrefix'>,
  ) {}

  protected abstract concurrency(): number;
  protected abstract process(job: Job<T>, token?: string): Promise<void>;

  onApplicationBootstrap(): void {
    const concurrency = this.concurrency();
    const run = (job: Job<T>, token?: string): Promise<void> => {
      const p = this.process(job, token);
      this.inFlight.add(p);
      return p.finally(() => this.inFlight.delete(p));
    };
    this.worker = startQueueWorker(this.queueConfig, this.queue, run, concurrency, this.logger);
    this.logger.log(`consuming ${this.queue} (concurrency ${concurrency})`);
  }

  /**
   * Waits for the jobs in flight (their attempt records go to PostgreSQL), but not for a
   * Redis that is gone: BullMQ's graceful close first waits on its Redis connections, for
   * ever while Redis is unreachable. Then this waits for the jobs itself (bounded) and
   * closes without Redis; a job cut off meanwhile keeps its lease and the sweeper retries it.
   */
  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    if (!dependencyLog('redis').isDown) return worker.close();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((resolve) => (timer = setTimeout(resolve, REDIS_GONE_JOB_GRACE_MS)))]);
    clearTimeout(timer);
    await worker.close(true);
  }
}
