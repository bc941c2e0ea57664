import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import type { RedisOptions as BullRedisOptions } from 'bullmq';
import { CARAVAN_CONFIG, CaravanConfig } from '../config';
import { QUEUES } from './queue-names';
import { redisConnectionOptions } from './redis-connection';

export function bullPrefix(config: Pick<CaravanConfig, 'redisPrefix'>): string {
  return `${config.redisPrefix}:bull`;
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
      exports: [BullModule],
    };
  }
}
