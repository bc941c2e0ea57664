import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { healthKeys } from '../../../libs/endpoint-health';
import { REDIS } from '../../../libs/queue';
import { afterOutcome, BreakerSettings, BreakerState, bucketOf, CLOSED, failureRate, windowCounts } from './breaker-policy';
import { ACQUIRE_SLOT_LUA, GCRA_LUA } from './gcra';

/** Writes `ARGV[2..]` field/value pairs only if the stored version is still ARGV[1]. */
const CAS_LUA = `
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], 604800000)
return 1
`;

const PHASES = new Set(['closed', 'open', 'half_open']);

export interface RecordedOutcome {
  state: BreakerState;
  failureRatePct: number;
  consecutiveFailures: number;
  transitioned: boolean;
}

/**
 * Endpoint health in Redis, shared by every worker process: the rate limiter, the
 * concurrency slots and the breaker record. Each operation is one script or one
 * MULTI, so concurrent workers cannot interleave inside it.
 */
@Injectable()
export class EndpointHealthStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /**
   * One GCRA step: wait 0 = send now; otherwise wait that long, and `booked` says the
   * send at that time is already reserved (see gcra.ts).
   */
  async takeRateToken(endpointId: string, count: number, periodMs: number, horizonMs: number): Promise<{ waitMs: number; booked: boolean }> {
    const [result, wait] = (await this.redis.eval(GCRA_LUA, 1, healthKeys(endpointId).rate, count, periodMs, horizonMs)) as [number, number];
    return result === 1 ? { waitMs: 0, booked: false } : { waitMs: Math.max(1, wait), booked: result === 2 };
  }

  async acquireSlot(endpointId: string, cap: number, leaseMs: number, token: string): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE_SLOT_LUA, 1, healthKeys(endpointId).slots, cap, leaseMs, token)) === 1;
  }

  async releaseSlot(endpointId: string, token: string): Promise<void> {
    await this.redis.zrem(healthKeys(endpointId).slots, token);
  }

  async slotsInUse(endpointId: string): Promise<number> {
    return this.redis.zcount(healthKeys(endpointId).slots, Date.now(), '+inf');
  }

  async breaker(endpointId: string): Promise<BreakerState> {
    return parseState(await this.redis.hgetall(healthKeys(endpointId).breaker));
  }

  /** Stores `next` unless another worker moved the breaker since `seen` was read. */
  async compareAndSet(endpointId: string, seen: BreakerState, next: BreakerState): Promise<boolean> {
    const ok = await this.redis.eval(
      CAS_LUA,
      1,
      healthKeys(endpointId).breaker,
      seen.version,
      'phase',
      next.phase,
      'opened_at',
      next.openedAt,
      'probe_ok',
      next.probeSuccesses,
      'trips',
      next.trips,
      'version',
      next.version,
    );
    return ok === 1;
  }

  /** One process at a time may probe a half-open endpoint; the lease frees a dead prober's turn. */
  async takeProbe(endpointId: string, leaseMs: number, token: string): Promise<boolean> {
    return (await this.redis.set(healthKeys(endpointId).probe, token, 'PX', leaseMs, 'NX')) === 'OK';
  }

  async releaseProbe(endpointId: string): Promise<void> {
    await this.redis.del(healthKeys(endpointId).probe);
  }

  /**
   * Counts one attempt, then applies the breaker transition it causes. `releaseSlot` gives
   * back the attempt's concurrency slot in the same round trip.
   */
  async record(endpointId: string, ok: boolean, now: number, cfg: BreakerSettings, releaseSlot?: string): Promise<RecordedOutcome> {
    const k = healthKeys(endpointId);
    const m = this.redis.multi();
    m.hincrby(k.window, `${bucketOf(now, cfg)}:${ok ? 's' : 'f'}`, 1);
    m.pexpire(k.window, cfg.windowMs + cfg.bucketMs);
    m.hgetall(k.window);
    m.hgetall(k.breaker);
    if (ok) m.del(k.failures);
    else m.incr(k.failures);
    // last, so the replies above keep their positions
    if (releaseSlot) m.zrem(k.slots, releaseSlot);
    const res = (await m.exec()) ?? [];
    const buckets = (res[2]?.[1] ?? {}) as Record<string, string>;
    const state = parseState((res[3]?.[1] ?? {}) as Record<string, string>);
    const consecutiveFailures = ok ? 0 : Number(res[4]?.[1] ?? 0);
    const { counts, stale } = windowCounts(buckets, now, cfg);
    const effect = afterOutcome(state, counts, ok, now, cfg);
    let current = state;
    let transitioned = false;
    if (effect.next && (await this.compareAndSet(endpointId, state, effect.next))) {
      current = effect.next;
      transitioned = true;
    }
    const pct = effect.resetWindow && transitioned ? 0 : Math.round(failureRate(counts) * 10_000) / 100;
    const tidy = this.redis.multi();
    if (stale.length) tidy.hdel(k.window, ...stale);
    if (effect.resetWindow && transitioned) tidy.del(k.window);
    tidy.hset(k.breaker, 'failure_rate', pct);
    if (!transitioned && state.version === 0) tidy.hsetnx(k.breaker, 'phase', 'closed');
    tidy.pexpire(k.breaker, 604_800_000);
    // bookkeeping for the endpoint read only: the delivery need not wait for it
    tidy.exec().catch(() => undefined);
    return { state: current, failureRatePct: pct, consecutiveFailures, transitioned };
  }

  /** Forgets everything about an endpoint's health, e.g. when it is reactivated. */
  async reset(endpointId: string): Promise<void> {
    const k = healthKeys(endpointId);
    await this.redis.del(k.breaker, k.window, k.probe, k.failures);
  }
}

function parseState(h: Record<string, string>): BreakerState {
  if (!h.phase || !PHASES.has(h.phase)) return { ...CLOSED, version: Number(h.version ?? 0) || 0 };
  return {
    phase: h.phase as BreakerState['phase'],
    openedAt: Number(h.opened_at ?? 0),
    probeSuccesses: Number(h.probe_ok ?? 0),
    trips: Number(h.trips ?? 0),
    version: Number(h.version ?? 0),
  };
}
