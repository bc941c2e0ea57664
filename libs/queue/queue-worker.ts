import type { Logger } from '@nestjs/common';
import { Processor, Worker } from 'bullmq';
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import type { CaravanConfig } from '../config';
import { bullPrefix } from './queue.module';
import type { QueueName } from './queue-names';
import { redisOptionsFromUrl } from './redis-options';

/**
 * A BullMQ consumer of one queue with Caravan's settings: its own blocking connection
 * (no request limit, as BullMQ requires), the instance's key prefix, and failures logged
 * rather than thrown, since PostgreSQL holds the record and the sweepers retry.
 */
export function startQueueWorker<T>(
  config: Pick<CaravanConfig, 'redisUrl' | 'redisPrefix'>,
  queue: QueueName,
  processor: Processor<T>,
  concurrency: number,
  logger: Logger,
): Worker<T> {
  const connection = redisOptionsFromUrl(config.redisUrl, { maxRetriesPerRequest: null }) as BullRedisOptions;
  const worker = new Worker<T>(queue, processor, { connection, prefix: bullPrefix(config), autorun: true, concurrency });
  worker.on('failed', (job, err) => logger.warn({ queue, jobId: job?.id, err: err.message }, 'job failed; the sweeper will retry it'));
  worker.on('error', (err) => logger.warn({ queue, err: err.message }, 'queue worker error'));
  return worker;
}
