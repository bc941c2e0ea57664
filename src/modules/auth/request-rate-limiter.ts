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

/**
 * Takes ARGV[i + 1] requests' worth from each counter in KEYS (a new one expires after
 * ARGV[1] s); answers each counter's total after the take.
 */
const TAKE_LUA = new LuaScript(`
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCRBY', key, ARGV[i + 1])
  if n == tonumber(ARGV[i + 1]) then redis.call('EXPIRE', key, ARGV[1]) end
  out[i] = n
end
return out
`);

/**
 * A block taken ahead of demand is at most this share of the limit, so the requests a pod
 * took and did not use when the second ends (at most a block per pod) cost other pods
 * little; below 50 a second every request is counted on its own, exactly.
 */
const MAX_BLOCK_SHARE = 1 / 50;
/** A block is about this share of what the pod used in the previous second. */
const BLOCK_OF_RATE = 1 / 20;
const MAX_LEASES = 10_000;

/** The requests of one counter this process took from Redis for the current second. */
interface Lease {
  window: number;
  granted: number;
  used: number;
  /** used in the previous second, to size the next block (with what this second used so far) */
  previous: number;
  /** none left for this second: the limit is reached */
  exhausted: boolean;
}

interface Counter {
  key: string;
  limit: number;
  tag: 'key' | 'ingest';
}

/**
 * Requests per second per API key (API_RATE_LIMIT) and ingest requests per second per
 * project (INGEST_RATE_LIMIT), counted in Redis so every pod shares the count. A pod takes
 * its requests from the shared counter in blocks sized to its own recent rate (at most
 * 1/50 of the limit, one request at a time below 50 a second) and spends them without a
 * round trip: no pod ever lets more than the limit through in a second, and at the end of
 * a second a pod may leave at most a block untaken by anyone. The instance admin key is
 * not limited. When Redis is away requests go through: the limit protects tenants from
 * each other, it must not take the API down.
 */
@Injectable()
export class RequestRateLimiter {
  private readonly logger = new Logger(RequestRateLimiter.name);
  private readonly leases = new Map<string, Lease>();
  /** a take from Redis in flight per counter set: concurrent requests wait for it rather than each sending one */
  private readonly taking = new Map<string, Promise<void>>();
  /** requests waiting for a take, per counter set: the block covers them all */
  private readonly demand = new Map<string, number>();
  private lastWarn = 0;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async check(principal: Principal, ingest: boolean): Promise<RateVerdict> {
    if (principal.kind !== 'project') return { allowed: true, retryAfter: 0 };
    const counters: Counter[] = [];
    if (this.config.apiRateLimit > 0) counters.push({ key: `rl:key:${principal.keyId}`, limit: this.config.apiRateLimit, tag: 'key' });
    if (ingest && this.config.ingestRateLimit > 0)
      counters.push({ key: `rl:ingest:${principal.projectId}`, limit: this.config.ingestRateLimit, tag: 'ingest' });
    if (counters.length === 0) return { allowed: true, retryAfter: 0 };
    try {
      // bounded: each take grants at least one request unless the limit is reached
      for (let round = 0; round < 8; round++) {
        const window = Math.floor(Date.now() / 1000 / WINDOW_S);
        const leases = counters.map((c) => this.lease(c.key, window));
        const full = counters.find((_, i) => leases[i].exhausted && leases[i].used >= leases[i].granted);
        if (full) return { allowed: false, retryAfter: WINDOW_S, limit: full.tag };
        if (leases.every((l) => l.used < l.granted)) {
          for (const l of leases) l.used++;
          return { allowed: true, retryAfter: 0 };
        }
        await this.take(counters, window);
      }
      // a burst larger than every block taken for it: refused like any other past the limit
      return { allowed: false, retryAfter: WINDOW_S, limit: counters[0].tag };
    } catch (e) {
      const now = Date.now();
      if (now - this.lastWarn > 10_000) {
        this.lastWarn = now;
        this.logger.warn(`rate limits unavailable, not enforced: ${(e as Error).message}`);
      }
      return { allowed: true, retryAfter: 0 };
    }
  }

  private lease(key: string, window: number): Lease {
    let l = this.leases.get(key);
    if (l && l.window === window) return l;
    if (!l && this.leases.size >= MAX_LEASES) this.leases.clear();
    const previous = l && l.window === window - 1 ? l.used : 0;
    l = { window, granted: 0, used: 0, previous, exhausted: false };
    this.leases.set(key, l);
    return l;
  }

  /**
   * One round trip for the counters whose block is spent. It leaves after the current tick,
   * so the requests arriving meanwhile are counted in its block and wait for it.
   */
  private async take(counters: Counter[], window: number): Promise<void> {
    const id = `${window}:${counters.map((c) => c.key).join('|')}`;
    this.demand.set(id, (this.demand.get(id) ?? 0) + 1);
    try {
      let p = this.taking.get(id);
      if (!p) {
        p = this.takeNow(id, counters, window).finally(() => this.taking.delete(id));
        this.taking.set(id, p);
      }
      await p;
    } finally {
      const left = (this.demand.get(id) ?? 1) - 1;
      if (left > 0) this.demand.set(id, left);
      else this.demand.delete(id);
    }
  }

  private async takeNow(id: string, counters: Counter[], window: number): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    const waiting = this.demand.get(id) ?? 1;
    const wanted = counters.flatMap((c) => {
      const l = this.lease(c.key, window);
      return l.used >= l.granted && !l.exhausted ? [{ c, l, n: blockSize(c.limit, Math.max(l.previous, l.used), waiting) }] : [];
    });
    if (wanted.length === 0) return;
    const totals = (await TAKE_LUA.run(
      this.redis,
      wanted.map((w) => `${w.c.key}:${window}`),
      [WINDOW_S * 2, ...wanted.map((w) => w.n)],
    )) as number[];
    wanted.forEach((w, i) => {
      const before = Number(totals[i]) - w.n;
      const mine = Math.max(0, Math.min(w.n, w.c.limit - before));
      w.l.granted += mine;
      if (mine < w.n) w.l.exhausted = true;
    });
  }
}

/**
 * How many requests to take at once: about a twentieth of last second's, never more than
 * 1/50 of the limit (at least one), or all the requests waiting for it when more (those
 * are spent at once, so none of them is left over).
 */
export function blockSize(limit: number, usedLastSecond: number, waiting = 1): number {
  const cap = Math.max(1, Math.floor(limit * MAX_BLOCK_SHARE));
  return Math.max(waiting, Math.min(cap, Math.ceil(usedLastSecond * BLOCK_OF_RATE)), 1);
}
