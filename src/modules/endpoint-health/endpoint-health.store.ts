import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { healthKeys } from '../../../libs/endpoint-health';
import { LuaScript, REDIS } from '../../../libs/queue';
import { afterOutcome, BreakerSettings, BreakerState, bucketOf, CLOSED, failureRate, windowCounts } from './breaker-policy';
import { ACQUIRE_SLOT_LUA, RATE_BOOK_LUA, RATE_CONFIRM_LUA } from './rate-window';

/** Writes `ARGV[2..]` field/value pairs only if the stored version is still ARGV[1]. */
const CAS_LUA = `
local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if v ~= tonumber(ARGV[1]) then return 0 end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], 604800000)
return 1
`;

/** A closed breaker's successes (ARGV[3] of them, in bucket field ARGV[1]): count them in the window, clear the failure streak. */
const RECORD_SUCCESS_LUA = `
redis.call('HINCRBY', KEYS[1], ARGV[1], ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1
`;

/** Successes under a closed breaker are counted in Redis together, at most this late. */
const SUCCESS_FLUSH_MS = 100;

const SCRIPTS = {
  cas: new LuaScript(CAS_LUA),
  bookRate: new LuaScript(RATE_BOOK_LUA),
  confirmRate: new LuaScript(RATE_CONFIRM_LUA),
  acquireSlot: new LuaScript(ACQUIRE_SLOT_LUA),
  recordSuccess: new LuaScript(RECORD_SUCCESS_LUA),
};

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
/** The failure rate and the breaker record's expiry are refreshed at most this often per endpoint and process. */
const TIDY_EVERY_MS = 1_000;
const MAX_TIDIED = 10_000;

@Injectable()
export class EndpointHealthStore implements OnApplicationShutdown {
  /** when this process last refreshed each endpoint's failure rate (see recordSuccess) */
  private readonly tidiedAt = new Map<string, number>();
  /** successes not yet counted in Redis: endpoint → bucket field → count, with the window's expiry */
  private pendingSuccesses = new Map<string, { fields: Map<string, number>; ttlMs: number }>();
  private flushTimer?: NodeJS.Timeout;

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.flushSuccesses();
  }

  /**
   * Reserves the earliest send time that fits the endpoint's rate window (see
   * rate-window.ts): wait 0 = send now; otherwise wait that long, and `booked` says the
   * send at that time is reserved under `token`.
   */
  async bookRate(endpointId: string, count: number, windowMs: number, horizonMs: number, token: string): Promise<{ waitMs: number; booked: boolean }> {
    const [result, wait] = (await SCRIPTS.bookRate.run(this.redis, [healthKeys(endpointId).rate], [count, windowMs, horizonMs, token])) as [number, number];
    return result === 1 ? { waitMs: 0, booked: false } : { waitMs: Math.max(1, wait), booked: result === 2 };
  }

  /** Right before a send: 0 when it fits the window now (recorded under `token`), else the wait. */
  async confirmRate(endpointId: string, count: number, windowMs: number, token: string): Promise<number> {
    return Number(await SCRIPTS.confirmRate.run(this.redis, [healthKeys(endpointId).rate], [count, windowMs, token]));
  }

  async acquireSlot(endpointId: string, cap: number, leaseMs: number, token: string): Promise<boolean> {
    return (await SCRIPTS.acquireSlot.run(this.redis, [healthKeys(endpointId).slots], [cap, leaseMs, token])) === 1;
  }

  async releaseSlots(endpointId: string, tokens: string[]): Promise<void> {
    if (tokens.length) await this.redis.zrem(healthKeys(endpointId).slots, ...tokens);
  }

  async breaker(endpointId: string): Promise<BreakerState> {
    return parseState(await this.redis.hgetall(healthKeys(endpointId).breaker));
  }

  /** Stores `next` unless another worker moved the breaker since `seen` was read. */
  async compareAndSet(endpointId: string, seen: BreakerState, next: BreakerState): Promise<boolean> {
    const ok = await SCRIPTS.cas.run(
      this.redis,
      [healthKeys(endpointId).breaker],
      [seen.version, 'phase', next.phase, 'opened_at', next.openedAt, 'probe_ok', next.probeSuccesses, 'trips', next.trips, 'version', next.version],
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

  /** Counts one attempt, then applies the breaker transition it causes. */
  async record(endpointId: string, ok: boolean, now: number, cfg: BreakerSettings): Promise<RecordedOutcome> {
    // the successes before this attempt count first, so the window and the streak see them in order
    await this.flushSuccesses(endpointId);
    const k = healthKeys(endpointId);
    const m = this.redis.multi();
    m.hincrby(k.window, `${bucketOf(now, cfg)}:${ok ? 's' : 'f'}`, 1);
    m.pexpire(k.window, cfg.windowMs + cfg.bucketMs);
    m.hgetall(k.window);
    m.hgetall(k.breaker);
    if (ok) m.del(k.failures);
    else m.incr(k.failures);
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

  /**
   * A successful attempt admitted by a closed breaker: a success can never move a closed
   * breaker, so this process counts its successes together, one script per endpoint at
   * most every SUCCESS_FLUSH_MS (a failure, record, flushes the endpoint's first), and
   * refreshes the failure rate shown on the endpoint at most once a second. A breaker that
   * went half-open meanwhile does not count these successes as probes; its own probe does.
   */
  recordSuccess(endpointId: string, now: number, cfg: BreakerSettings): void {
    const field = `${bucketOf(now, cfg)}:s`;
    const p = this.pendingSuccesses.get(endpointId) ?? { fields: new Map<string, number>(), ttlMs: cfg.windowMs + cfg.bucketMs };
    p.fields.set(field, (p.fields.get(field) ?? 0) + 1);
    this.pendingSuccesses.set(endpointId, p);
    if (!this.flushTimer) {
      this.flushTimer = setTimeout(() => void this.flushSuccesses(), SUCCESS_FLUSH_MS);
      this.flushTimer.unref();
    }
    if (now - (this.tidiedAt.get(endpointId) ?? 0) < TIDY_EVERY_MS) return;
    if (this.tidiedAt.size >= MAX_TIDIED) this.tidiedAt.clear();
    this.tidiedAt.set(endpointId, now);
    const k = healthKeys(endpointId);
    void this.redis
      .hgetall(k.window)
      .then((buckets) => {
        const { counts, stale } = windowCounts(buckets, now, cfg);
        const tidy = this.redis.multi();
        if (stale.length) tidy.hdel(k.window, ...stale);
        tidy.hset(k.breaker, 'failure_rate', Math.round(failureRate(counts) * 10_000) / 100);
        tidy.hsetnx(k.breaker, 'phase', 'closed');
        tidy.pexpire(k.breaker, 604_800_000);
        return tidy.exec();
      })
      .catch(() => undefined);
  }

  /** Counts the pending successes in Redis: every endpoint's, or one endpoint's. Best effort, like the breaker itself. */
  async flushSuccesses(endpointId?: string): Promise<void> {
    let batch: [string, { fields: Map<string, number>; ttlMs: number }][];
    if (endpointId === undefined) {
      batch = [...this.pendingSuccesses.entries()];
      this.pendingSuccesses = new Map();
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    } else {
      const p = this.pendingSuccesses.get(endpointId);
      if (!p) return;
      this.pendingSuccesses.delete(endpointId);
      batch = [[endpointId, p]];
    }
    await Promise.all(
      batch.flatMap(([id, p]) => {
        const k = healthKeys(id);
        return [...p.fields.entries()].map(([field, n]) =>
          SCRIPTS.recordSuccess.run(this.redis, [k.window, k.failures], [field, p.ttlMs, n]).catch(() => undefined),
        );
      }),
    );
  }

  /** Forgets everything about an endpoint's health, e.g. when it is reactivated. */
  async reset(endpointId: string): Promise<void> {
    this.pendingSuccesses.delete(endpointId);
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
