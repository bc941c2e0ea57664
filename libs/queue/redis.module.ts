import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { CARAVAN_CONFIG, CaravanConfig } from '../config';
import { createRedisClient } from './redis-connection';

export const REDIS = Symbol('REDIS');

/**
 * The shared ioredis client for rate limits, breaker state and health. Commands fail fast
 * while Redis is away (no offline queue) so that callers degrade instead of hanging.
 */
@Injectable()
export class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
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
        let down = false;
        client.on('error', (e: Error) => {
          if (!down) logger.warn(`redis unavailable: ${e.message}`);
          down = true;
        });
        client.on('ready', () => {
          if (down) logger.log('redis reconnected');
          down = false;
        });
        return client;
      },
    },
    RedisLifecycle,
  ],
  exports: [REDIS],
})
export class RedisModule {}
