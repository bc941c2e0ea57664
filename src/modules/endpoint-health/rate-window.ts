/**
 * An endpoint's rate limit as a sliding log: `count` sends in any window of `windowMs`,
 * never more, however the sends bunch up (a burst up to `count` is allowed, then nothing
 * until the oldest of them leaves the window). The log holds the times of the endpoint's
 * most recent sends and reservations, one Redis sorted set shared by every worker.
 *
 * Two steps use it. Before a delivery is claimed, `book` finds the earliest time its send
 * fits and reserves it, so a backlog spreads itself over the future instead of every
 * delivery retrying at once. Right before the request is written, `confirm` moves the
 * reservation to the actual time and checks the window again: a claim or a wake-up that ran
 * late can otherwise put two reservations' sends closer than the window allows.
 *
 * The window is the endpoint's period plus a small margin (see rateWindowMs), so that the
 * few milliseconds between the check and the request's arrival cannot make a receiver see
 * one send too many in a window of its period.
 */

/** The margin added to an endpoint's period: 5 % of it, at least 20 ms and at most 250 ms. */
export function rateWindowMs(periodMs: number): number {
  return periodMs + Math.min(250, Math.max(20, Math.round(periodMs * 0.05)));
}

/**
 * How far ahead a send may be reserved: ten windows, at most five minutes. The log then
 * holds at most about eleven windows' worth of entries per endpoint.
 */
export function bookingHorizonMs(windowMs: number): number {
  return Math.min(5 * 60_000, 10 * windowMs);
}

/** A send time in the log, or a reservation. */
export interface RateEntry {
  token: string;
  at: number;
}

export type BookDecision = { kind: 'now' } | { kind: 'booked'; waitMs: number } | { kind: 'refused'; waitMs: number };

/**
 * Where a new send goes, in the same arithmetic as RATE_BOOK_LUA: after every entry in the
 * log (reservations stay in order), and no earlier than the window after the `count`-th
 * most recent entry. `log` is sorted by time, oldest first; it is changed in place.
 */
export function book(log: RateEntry[], now: number, count: number, windowMs: number, horizonMs: number, token: string): BookDecision {
  prune(log, now, windowMs);
  let at = now;
  if (log.length > 0) at = Math.max(at, log[log.length - 1].at);
  if (log.length >= count) at = Math.max(at, log[log.length - count].at + windowMs);
  const waitMs = at - now;
  if (waitMs > horizonMs) return { kind: 'refused', waitMs };
  log.push({ token, at });
  return waitMs === 0 ? { kind: 'now' } : { kind: 'booked', waitMs };
}

/**
 * The check right before a send, as RATE_CONFIRM_LUA: 0 when fewer than `count` other
 * entries lie in the window that ends now (the caller's entry then moves to now, or is
 * added), else how long until the oldest of them leaves it.
 */
export function confirm(log: RateEntry[], now: number, count: number, windowMs: number, token: string): number {
  prune(log, now, windowMs);
  const others = log.filter((e) => e.token !== token && e.at <= now);
  if (others.length < count) {
    const own = log.findIndex((e) => e.token === token);
    if (own >= 0) log.splice(own, 1);
    const at = log.findIndex((e) => e.at > now);
    log.splice(at < 0 ? log.length : at, 0, { token, at: now });
    return 0;
  }
  return others[others.length - count].at + windowMs - now;
}

function prune(log: RateEntry[], now: number, windowMs: number): void {
  while (log.length > 0 && log[0].at <= now - windowMs) log.shift();
}

/**
 * book() in Lua, on Redis' clock so every process agrees on "now".
 * KEYS[1] = log; ARGV = count, windowMs, horizonMs, token.
 * Returns {1, 0} send now, {2, wait} booked that far ahead, {0, wait} refused.
 */
export const RATE_BOOK_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local count = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local horizon = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local at = now
local last = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if last[2] then at = math.max(at, tonumber(last[2])) end
local nth = redis.call('ZREVRANGE', KEYS[1], count - 1, count - 1, 'WITHSCORES')
if nth[2] then at = math.max(at, tonumber(nth[2]) + window) end
local wait = at - now
if wait > horizon then return {0, wait} end
redis.call('ZADD', KEYS[1], at, ARGV[4])
redis.call('PEXPIRE', KEYS[1], wait + window + 1000)
if wait == 0 then return {1, 0} end
return {2, wait}
`;

/**
 * confirm() in Lua. KEYS[1] = log; ARGV = count, windowMs, token.
 * Returns 0 (send now; the token's entry is at now) or the wait in ms.
 */
export const RATE_CONFIRM_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local count = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local past = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window), now, 'WITHSCORES')
local others = {}
for i = 1, #past, 2 do
  if past[i] ~= ARGV[3] then others[#others + 1] = tonumber(past[i + 1]) end
end
if #others < count then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  local newest = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  redis.call('PEXPIRE', KEYS[1], math.max(0, tonumber(newest[2]) - now) + window + 1000)
  return 0
end
return math.max(1, others[#others - count + 1] + window - now)
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
