/**
 * Retry arithmetic for deliveries. Pure: time and randomness come in as arguments.
 *
 * Convoy's model, which this follows: a project (or subscription) strategy
 * `{ type, duration, retry_count }` with `duration` in seconds. A delivery records the limit as
 * `metadata.retry_limit` (= retry_count) and counts attempts in `metadata.num_trials`.
 */

export type RetryStrategyType = 'linear' | 'exponential';

export interface RetryStrategy {
  type: RetryStrategyType;
  /** Seconds: the fixed gap (linear) or the base of the doubling (exponential). */
  duration: number;
  retry_count: number;
}

/** Uniform in [0, 1), like Math.random; injected so tests are deterministic. */
export type RandomSource = () => number;

/**
 * `full`: uniform in [0, nominal] (AWS "full jitter").
 * `decorrelated`: uniform in [base, 3 × previous delay], capped (AWS "decorrelated jitter"); never
 * shorter than the configured duration, which is what someone who set `duration` expects.
 * `none`: the nominal doubling, Convoy's curve without its few seconds of noise.
 */
export type Jitter = 'full' | 'decorrelated' | 'none';

export interface RetryDelayOptions {
  jitter?: Jitter;
  /** Upper bound for exponential delays; clamped to {@link MAX_RETRY_DELAY_MS}. */
  maxDelayMs?: number;
  /** The delay chosen before this one, for decorrelated jitter; derived from the curve when absent. */
  previousDelayMs?: number;
}

/** Never retry in a tight loop, whatever the configuration says. */
export const MIN_RETRY_DELAY_MS = 1_000;
/** Convoy's default `max_retry_seconds` (7200): where its exponential curve flattens out. */
export const DEFAULT_MAX_RETRY_DELAY_MS = 2 * 60 * 60 * 1000;
/** Hard ceiling for any delay, including a linear duration or a receiver's Retry-After. */
export const MAX_RETRY_DELAY_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_JITTER: Jitter = 'decorrelated';

/**
 * Total number of send attempts a delivery gets, the first one included.
 *
 * Convoy's worker increments `num_trials` after every attempt and marks the delivery failed
 * once `num_trials >= retry_limit`; its retry-schedule documentation states the same thing
 * ("retry_count limits the total delivery attempts, including the initial attempt"). So
 * retry_count = 3 means one attempt plus two retries, despite the field's name, and we keep
 * that so a strategy copied from Convoy sends the same number of requests. Zero, negative or
 * garbage still allows the first attempt: an event is never dropped unsent.
 */
export function attemptsAllowed(retryCount: number): number {
  if (!Number.isFinite(retryCount)) return 1;
  return Math.max(1, Math.floor(retryCount));
}

/** Whether another attempt may follow, given how many have been made. */
export function hasAttemptsLeft(attemptsMade: number, retryCount: number): boolean {
  return attemptsMade < attemptsAllowed(retryCount);
}

/**
 * Milliseconds to wait after failed attempt number `attempt` (1-based) before the next one.
 *
 * linear: `duration` every time (no jitter, as in Convoy: a fixed schedule is what was asked for).
 * exponential: nominal `duration × 2^(attempt-1)`, Convoy's `interval × 2^num_trials`, capped at
 * `maxDelayMs` (2 h by default, as Convoy), then jittered so endpoints coming back from an
 * outage are not hit by every queued delivery in the same second.
 */
export function nextRetryDelayMs(strategy: RetryStrategy, attempt: number, random: RandomSource = Math.random, options: RetryDelayOptions = {}): number {
  const base = clamp(finiteOr(strategy.duration, 0) * 1000, MIN_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS);
  if (strategy.type !== 'exponential') return Math.round(base);

  const cap = clamp(finiteOr(options.maxDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS, DEFAULT_MAX_RETRY_DELAY_MS), MIN_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS);
  const n = Math.max(1, Math.floor(finiteOr(attempt, 1)));
  const nominal = Math.min(cap, exponential(base, n - 1));
  const r = unit(random);

  switch (options.jitter ?? DEFAULT_JITTER) {
    case 'none':
      return Math.round(nominal);
    case 'full':
      return Math.round(Math.max(MIN_RETRY_DELAY_MS, r * nominal));
    case 'decorrelated': {
      const previous =
        options.previousDelayMs !== undefined && Number.isFinite(options.previousDelayMs)
          ? options.previousDelayMs
          : n === 1
            ? base
            : Math.min(cap, exponential(base, n - 2));
      const floor = Math.min(base, cap);
      const ceiling = Math.max(floor, Math.min(cap, previous * 3));
      return Math.round(floor + r * (ceiling - floor));
    }
  }
}

/**
 * A receiver's Retry-After header as milliseconds from `now`: delta-seconds (`120`) or an
 * HTTP-date (IMF-fixdate, RFC 850 or asctime). A date in the past means "now" (0). Anything
 * else — negative or fractional numbers, junk, an unparseable date — is ignored (undefined)
 * rather than guessed at; the result never exceeds `capMs`.
 */
export function retryAfterMs(headerValue: string | undefined, now: Date, capMs: number = MAX_RETRY_DELAY_MS): number | undefined {
  if (headerValue === undefined) return undefined;
  const value = headerValue.trim();
  if (value.length === 0 || value.length > 64) return undefined;

  if (/^\d+$/.test(value)) return Math.min(capMs, Number(value) * 1000);

  const form = HTTP_DATE.findIndex((re) => re.test(value));
  if (form < 0) return undefined;
  // asctime carries no zone but means GMT; Date.parse would read it as local time
  const at = Date.parse(form === ASCTIME ? `${value} GMT` : value);
  if (!Number.isFinite(at) || !Number.isFinite(now.getTime())) return undefined;
  return Math.min(capMs, Math.max(0, at - now.getTime()));
}

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const LONG_DAY = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
const ASCTIME = 2;
const HTTP_DATE = [
  new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`),
  new RegExp(`^${LONG_DAY}, \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`),
  new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`),
];

/** What one attempt came to, as the HTTP client saw it. */
export type AttemptOutcome = { kind: 'response'; status: number } | { kind: 'timeout' } | { kind: 'network_error' };

export type AttemptReason = 'success' | 'redirect' | 'client_error' | 'gone' | 'server_error' | 'invalid_status' | 'timeout' | 'network_error';

export interface AttemptVerdict {
  success: boolean;
  /** For failures: whether another attempt may help (still subject to {@link attemptsAllowed}). */
  retryable: boolean;
  reason: AttemptReason;
}

export interface RetryablePolicy {
  /** Statuses that end the delivery at once. Default: 410 only. */
  nonRetryableStatuses?: Iterable<number>;
}

/**
 * 410 Gone is the one status not retried by default: the receiver says the endpoint will never
 * come back, and the endpoint-health code disables it. Every other failure is retried, like
 * Convoy's at-least-once mode: 3xx (redirects are not followed, so the attempt failed), 4xx
 * (a 401/404/422 is usually a receiver deploy or configuration problem that gets fixed, and
 * giving up would lose the event), 429 (with its Retry-After), 5xx, timeouts and network errors.
 */
export const DEFAULT_NON_RETRYABLE_STATUSES: ReadonlySet<number> = new Set([410]);

export function classifyAttempt(outcome: AttemptOutcome, policy: RetryablePolicy = {}): AttemptVerdict {
  if (outcome.kind === 'timeout') return { success: false, retryable: true, reason: 'timeout' };
  if (outcome.kind === 'network_error') return { success: false, retryable: true, reason: 'network_error' };

  const { status } = outcome;
  if (!Number.isInteger(status) || status < 200 || status > 599) return { success: false, retryable: true, reason: 'invalid_status' };
  if (status < 300) return { success: true, retryable: false, reason: 'success' };

  const stop = policy.nonRetryableStatuses ? new Set(policy.nonRetryableStatuses) : DEFAULT_NON_RETRYABLE_STATUSES;
  const retryable = !stop.has(status);
  if (status < 400) return { success: false, retryable, reason: 'redirect' };
  if (status === 410) return { success: false, retryable, reason: 'gone' };
  if (status < 500) return { success: false, retryable, reason: 'client_error' };
  return { success: false, retryable, reason: 'server_error' };
}

export function isRetryable(outcome: AttemptOutcome, policy?: RetryablePolicy): boolean {
  return classifyAttempt(outcome, policy).retryable;
}

function exponential(baseMs: number, power: number): number {
  // past 2^40 every realistic cap has long been reached; stopping there keeps the number finite
  return baseMs * 2 ** Math.min(power, 40);
}

function unit(random: RandomSource): number {
  const r = random();
  return Number.isFinite(r) ? clamp(r, 0, 1) : 0;
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}
