import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { REDIS } from '../queue/redis.module';
import { CbStateName, EndpointHealthView, healthKeys } from './health-keys';

const UNKNOWN: EndpointHealthView = { cb_state: null, failure_rate: null };

/**
 * Reads the breaker state the workers share, for the endpoint API. Read-only and best
 * effort: while Redis is away endpoints are still served, with null health.
 */
@Injectable()
export class BreakerStateReader {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async read(endpointIds: string[]): Promise<Map<string, EndpointHealthView>> {
    const out = new Map<string, EndpointHealthView>();
    if (endpointIds.length === 0) return out;
    try {
      const p = this.redis.pipeline();
      for (const id of endpointIds) p.hmget(healthKeys(id).breaker, 'phase', 'failure_rate');
      const res = (await p.exec()) ?? [];
      endpointIds.forEach((id, i) => {
        const [err, value] = res[i] ?? [null, null];
        const [phase, rate] = (err ? [null, null] : value) as [string | null, string | null];
        out.set(id, {
          cb_state: phase ? (phase.replace('_', '-') as CbStateName) : null,
          failure_rate: rate === null ? null : Number(rate),
        });
      });
    } catch {
      for (const id of endpointIds) out.set(id, UNKNOWN);
    }
    return out;
  }
}
