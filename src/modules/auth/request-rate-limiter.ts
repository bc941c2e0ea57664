import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { LuaScript, REDIS } from '../../../libs/queue';
import type { Principal } from './principal';

export interface RateVerdict {
  allowed: boolean;
  /** seconds until the window that is full ends */
  retryAfter: number;
  limit?: 'key' | 'ingest';
}

const WINDOW_S = 1;

/** Counts one request on each counter named in KEYS (a new one expires after ARGV[1] s); answers the counts. */
const COUNT_LUA = new LuaScript(`
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('EXPIRE', key, ARGV[1]) end
  out[i] = n
end
return out
`);

/**
 * Requests per second per API key (API_RATE_LIMIT) and ingest requests per second per
 * project (INGEST_RATE_LIMIT), counted in Redis so every pod shares the count: one script
 * (one round trip) a request. The instance admin key is not limited. When Redis is away requests go
 * through: the limit protects tenants from each other, it must not take the API down.
 */
@Injectable()
export class RequestRateLimiter {
  private readonly logger = new Logger(RequestRateLimiter.name);
  private lastWarn = 0;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async check(principal: Principal, ingest: boolean): Promise<RateVerdict> {
    if (principal.kind !== 'project') return { allowed: true, retryAfter: 0 };
    const perKey = this.config.apiRateLimit;
    const perIngest = ingest ? this.config.ingestRateLimit : 0;
    if (perKey <= 0 && perIngest <= 0) return { allowed: true, retryAfter: 0 };
    const window = Math.floor(Date.now() / 1000 / WINDOW_S);
    const keys: string[] = [];
    if (perKey > 0) keys.push(`rl:key:${principal.keyId}:${window}`);
    if (perIngest > 0) keys.push(`rl:ingest:${principal.projectId}:${window}`);
    try {
      const counts = (await COUNT_LUA.run(this.redis, keys, [WINDOW_S * 2])) as number[];
      if (perKey > 0 && Number(counts[0]) > perKey) return { allowed: false, retryAfter: WINDOW_S, limit: 'key' };
      if (perIngest > 0 && Number(counts[keys.length - 1]) > perIngest) return { allowed: false, retryAfter: WINDOW_S, limit: 'ingest' };
      return { allowed: true, retryAfter: 0 };
    } catch (e) {
      const now = Date.now();
      if (now - this.lastWarn > 10_000) {
        this.lastWarn = now;
        this.logger.warn(`rate limits unavailable, not enforced: ${(e as Error).message}`);
      }
      return { allowed: true, retryAfter: 0 };
    }
  }
}
