import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { REDIS } from '../../../libs/queue';
import type { SourceEntity } from '../sources';

export interface SourceRateVerdict {
  allowed: boolean;
  /** seconds until the full window ends */
  retryAfter: number;
}

/**
 * Redis-backed checks of /ingest that every pod shares: each source's request rate (so one
 * hostile or misconfigured sender cannot flood the store) and, for timestamped signatures,
 * the signatures already seen. When Redis is away both let requests through (with a
 * warning): they protect, they must not take ingest down; the signature's own timestamp
 * tolerance still bounds a replay.
 */
@Injectable()
export class IngestGuards {
  private readonly logger = new Logger(IngestGuards.name);
  private lastWarn = 0;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async admit(source: SourceEntity): Promise<SourceRateVerdict> {
    const limit = source.rateLimit > 0 ? source.rateLimit : this.config.sourceRateLimit;
    if (limit <= 0) return { allowed: true, retryAfter: 0 };
    const windowS = source.rateLimit > 0 && source.rateLimitDuration > 0 ? source.rateLimitDuration : 1;
    const nowS = Date.now() / 1000;
    const window = Math.floor(nowS / windowS);
    const key = `rl:source:${source.id}:${window}`;
    try {
      const replies =
        (await this.redis
          .multi()
          .incr(key)
          .expire(key, windowS * 2)
          .exec()) ?? [];
      if (Number(replies[0]?.[1]) > limit) return { allowed: false, retryAfter: Math.max(1, Math.ceil((window + 1) * windowS - nowS)) };
      return { allowed: true, retryAfter: 0 };
    } catch (e) {
      this.warn(`source rate limits unavailable, not enforced: ${(e as Error).message}`);
      return { allowed: true, retryAfter: 0 };
    }
  }

  /** True the first time a signature is seen within `ttlSeconds`; false for a repeat. */
  async firstSighting(sourceId: string, fingerprint: string, ttlSeconds: number): Promise<boolean> {
    try {
      return (await this.redis.set(`replay:${sourceId}:${fingerprint}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
    } catch (e) {
      this.warn(`replay records unavailable, not checked: ${(e as Error).message}`);
      return true;
    }
  }

  /** Drops a sighting, so a request that was not stored can be sent again with the same signature. */
  async forget(sourceId: string, fingerprint: string): Promise<void> {
    try {
      await this.redis.del(`replay:${sourceId}:${fingerprint}`);
    } catch (e) {
      this.warn(`replay records unavailable: ${(e as Error).message}`);
    }
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarn > 10_000) {
      this.lastWarn = now;
      this.logger.warn(message);
    }
  }
}
