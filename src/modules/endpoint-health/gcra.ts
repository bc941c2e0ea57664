/**
 * Generic cell rate algorithm: `count` sends per `periodMs`, with a burst of up to `count`
 * at once. The whole state is one number per endpoint (the theoretical arrival time), so
 * one Redis key and one script call enforce it across every worker process.
 */
export interface GcraDecision {
  /** send now */
  allowed: boolean;
  /**
   * not now, but a send `retryAfterMs` from now is reserved for the caller: a backlog
   * spreads itself over the future instead of every delivery retrying at the same instant
   */
  booked: boolean;
  /** the new theoretical arrival time to store (unchanged when neither allowed nor booked) */
  tat: number;
  /** when not allowed: how long until the caller's send fits */
  retryAfterMs: number;
}

export function gcra(storedTat: number | null, nowMs: number, count: number, periodMs: number, horizonMs = 0): GcraDecision {
  const interval = periodMs / count;
  const burst = periodMs - interval;
  const tat = Math.max(storedTat ?? nowMs, nowMs);
  const allowAt = tat - burst;
  if (nowMs >= allowAt) return { allowed: true, booked: false, tat: tat + interval, retryAfterMs: 0 };
  const wait = Math.ceil(allowAt - nowMs);
  if (wait <= horizonMs) return { allowed: false, booked: true, tat: tat + interval, retryAfterMs: wait };
  return { allowed: false, booked: false, tat, retryAfterMs: wait };
}

/**
 * The same arithmetic in Lua, on Redis' clock so every process agrees on "now".
 * KEYS[1] = tat key; ARGV = count, periodMs, horizonMs.
 * Returns {1, 0} allowed, {2, wait} booked, {0, wait} refused.
 */
export const GCRA_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local count = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
local interval = period / count
local burst = period - interval
local stored = tonumber(redis.call('GET', KEYS[1]) or now)
local tat = math.max(stored, now)
local allowAt = tat - burst
local result = 1
local wait = 0
if now < allowAt then
  wait = math.ceil(allowAt - now)
  if wait > horizon then return {0, wait} end
  result = 2
end
local nextTat = tat + interval
redis.call('SET', KEYS[1], tostring(nextTat), 'PX', math.ceil(nextTat - now) + 1000)
return {result, wait}
`;

/**
 * A concurrency slot with a lease: a sorted set of tokens scored by lease expiry, so a
 * killed worker's slots free themselves when their lease runs out.
 * KEYS[1] = slots key; ARGV = cap, leaseMs, token. Returns 1 when a slot was taken.
 */
export const ACQUIRE_SLOT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return 1
`;
