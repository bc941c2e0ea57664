import Redis, { RedisOptions } from 'ioredis';
import type { CaravanConfig } from '../config';
import { redisOptionsFromUrl } from './redis-options';

export type RedisConnectionConfig = Pick<CaravanConfig, 'redisUrl' | 'redisPassword' | 'redisSentinels' | 'redisSentinelMaster' | 'redisSentinelPassword'>;

const DEFAULT_SENTINEL_PORT = 26379;

function sentinelAddress(item: string): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
  if (bracketed) return { host: bracketed[1], port: bracketed[2] ? Number(bracketed[2]) : DEFAULT_SENTINEL_PORT };
  const i = item.lastIndexOf(':');
  return i > 0 ? { host: item.slice(0, i), port: Number(item.slice(i + 1)) } : { host: item, port: DEFAULT_SENTINEL_PORT };
}

/**
 * A write that lands on a server demoted during a failover answers READONLY: drop the
 * connection and ask again who the master is, then send the command again.
 */
function reconnectOnReadonly(err: Error): 2 | false {
  return err.message.startsWith('READONLY') ? 2 : false;
}

/**
 * The options of every Redis connection Caravan opens (BullMQ producers and workers, rate
 * limits, breaker state, caches, the invalidation pub/sub), so they all reach the same
 * server the same way: REDIS_URL alone, or the master the Sentinels in REDIS_SENTINELS
 * name. With Sentinel the client asks them for the master on every (re)connect and hears of
 * a switch at once (`failoverDetector`), so a failover costs a reconnect, not a restart.
 * `extra` carries the caller's own behaviour (offline queue, request retries, key prefix).
 */
export function redisConnectionOptions(config: RedisConnectionConfig, extra: RedisOptions = {}): RedisOptions {
  const fromUrl = redisOptionsFromUrl(config.redisUrl);
  const password = config.redisPassword || fromUrl.password;
  const common: RedisOptions = { password, username: fromUrl.username, db: fromUrl.db, tls: fromUrl.tls, reconnectOnError: reconnectOnReadonly };
  if (config.redisSentinels.length === 0) return { ...fromUrl, ...common, ...extra };
  return {
    ...common,
    sentinels: config.redisSentinels.map(sentinelAddress),
    name: config.redisSentinelMaster,
    role: 'master',
    sentinelPassword: config.redisSentinelPassword || undefined,
    enableTLSForSentinelMode: fromUrl.tls !== undefined,
    failoverDetector: true,
    // Sentinels that cannot be reached are tried again every few hundred ms, bounded
    sentinelRetryStrategy: (times: number) => Math.min(200 * times, 2000),
    ...extra,
  };
}

/** A new ioredis client on Caravan's Redis (standalone or through Sentinel). */
export function createRedisClient(config: RedisConnectionConfig, extra: RedisOptions = {}): Redis {
  return new Redis(redisConnectionOptions(config, extra));
}

/** Where Caravan's Redis is, for logs: never the password. */
export function describeRedis(config: RedisConnectionConfig): string {
  if (config.redisSentinels.length === 0) {
    const u = redisOptionsFromUrl(config.redisUrl);
    return `${u.host}:${u.port}`;
  }
  return `master "${config.redisSentinelMaster}" via sentinels ${config.redisSentinels.join(',')}`;
}
