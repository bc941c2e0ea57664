import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { CARAVAN_CONFIG, CaravanConfig } from '../config';
import { dependencyLog, isConnectionError, nestWriter } from '../observability/dependency-log';
import { createRedisClient } from './redis-connection';
import { closeRedis } from './redis-options';

export const REDIS = Symbol('REDIS');

/**
 * The shared ioredis client for rate limits, breaker state and health. Commands fail fast
 * while Redis is away (no offline queue) so that callers degrade instead of hanging.
 */
@Injectable()
export class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
  }
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [CARAVAN_CONFIG],
      useFactory: (config: CaravanConfig): Redis => {
        const client = createRedisClient(config, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 3000,
          keyPrefix: `${config.redisPrefix}:`,
          lazyConnect: false,
          // concurrent deliveries' gate commands issued in the same tick share one write
          enableAutoPipelining: true,
        });
        const logger = new Logger('Redis');
        const write = nestWriter(logger);
        client.on('error', (e: Error) => {
          if (isConnectionError(e)) dependencyLog('redis').failed(config.redisUrl, e, write);
          else logger.warn({ err: e.message }, 'redis error');
        });
        client.on('ready', () => dependencyLog('redis').recovered(config.redisUrl, write));
        return client;
      },
    },
    RedisLifecycle,
  ],
  exports: [REDIS],
})
export class RedisModule {}
