import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import type { HealthCheckResult } from '@nestjs/terminus';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { unreachableMessage } from '../../../libs/observability/dependency-log';
import { REDIS } from '../../../libs/queue';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref())]);
}

/**
 * Readiness: PostgreSQL answers and Redis answers; a failed check says so in words
 * ("Redis unreachable at host:port: … (check REDIS_URL)"). Liveness has no dependencies.
 */
@Injectable()
export class HealthChecks {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
  ) {}

  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.postgresCheck(), () => this.redisCheck()]);
  }

  private async postgresCheck(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('postgres');
    try {
      await withTimeout(this.ds.query('SELECT 1'));
      return indicator.up();
    } catch (e) {
      return indicator.down({ message: unreachableMessage('postgres', this.config.databaseUrl, e) });
    }
  }

  private async redisCheck(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('redis');
    try {
      const pong = await withTimeout(this.redis.ping());
      return pong === 'PONG' ? indicator.up() : indicator.down({ message: 'Redis answered PING with something other than PONG' });
    } catch (e) {
      // with no offline queue a command to a disconnected client fails with ioredis' own words; say what they mean
      const cause = this.redis.status === 'ready' ? e : new Error(`not connected (${this.redis.status})`);
      return indicator.down({ message: unreachableMessage('redis', this.config.redisUrl, cause) });
    }
  }
}
