import { BullModule, InjectQueue } from '@nestjs/bullmq';
import { DynamicModule, Inject, Injectable, Logger, Module } from '@nestjs/common';
import type { Queue, RedisOptions as BullRedisOptions } from 'bullmq';
import { CARAVAN_CONFIG, CaravanConfig } from '../config';
import { dependencyLog, isConnectionError, nestWriter } from '../observability/dependency-log';
import { QUEUES } from './queue-names';
import { redisConnectionOptions } from './redis-connection';

export function bullPrefix(config: Pick<CaravanConfig, 'redisPrefix'>): string {
  return `${config.redisPrefix}:bull`;
}

/**
 * Listens to every producer queue's errors: BullMQ prints an unheard error with
 * console.error (a multi-line stack per reconnect); here a refused connection goes to the
 * process's one Redis line instead.
 */
@Injectable()
export class QueueErrorLog {
  private readonly logger = new Logger('Queue');

  // constructor injection, not onModuleInit: a refused connection is reported within
  // milliseconds of the queue's creation, before init hooks run
  constructor(
    @InjectQueue(QUEUES.routing) routing: Queue,
    @InjectQueue(QUEUES.deliveries) deliveries: Queue,
    @InjectQueue(QUEUES.retries) retries: Queue,
    @Inject(CARAVAN_CONFIG) config: CaravanConfig,
  ) {
    const write = nestWriter(this.logger);
    for (const queue of [routing, deliveries, retries]) {
      const name = queue.name;
      queue.on('error', (err: Error) => {
        if (isConnectionError(err)) dependencyLog('redis').failed(config.redisUrl, err, write);
        else this.logger.warn({ queue: name, err: err.message }, 'queue error');
      });
    }
  }
}

/**
 * Registers every queue for producers. Producer connections fail fast while Redis is
 * away (no offline queue): Redis is only a wake-up hint, and the sweeper re-enqueues
 * whatever a failed add missed, so a request must never wait on Redis.
 */
@Module({})
export class QueueModule {
  static forRoot(): DynamicModule {
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          inject: [CARAVAN_CONFIG],
          useFactory: (config: CaravanConfig) => ({
            prefix: bullPrefix(config),
            connection: redisConnectionOptions(config, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 3000 }) as BullRedisOptions,
            defaultJobOptions: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 }, attempts: 1 },
          }),
        }),
        BullModule.registerQueue(...Object.values(QUEUES).map((name) => ({ name }))),
      ],
      providers: [QueueErrorLog],
      exports: [BullModule],
    };
  }
}
