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

/**
 * What one attempt came to, as the HTTP client reported it: a response status, or a
 * stable error class (`timeout`, `connection_refused`, `proxy_unavailable`,
 * `egress_denied:private`, `invalid_url`, ...) when no response came.
 */
export interface AttemptOutcome {
  status?: number;
  errorClass: string;
}

export type AttemptReason =
  | 'success'
  | 'redirect'
  | 'client_error'
  | 'gone'
  | 'server_error'
  | 'invalid_status'
  | 'timeout'
  | 'network_error'
  | 'egress_unavailable'
  | 'egress_denied'
  | 'invalid_url'
  | 'function_failed';

export interface AttemptVerdict {
  success: boolean;
  /** For failures: whether another attempt may help (still subject to {@link attemptsAllowed}). */
  retryable: boolean;
  /**
   * Whether the failure is the endpoint's: it counts against its circuit breaker and its
   * failure streak. Failures of Caravan's own egress proxy say nothing about the endpoint,
   * and counting them would trip every endpoint's breaker during a proxy outage.
   */
  blamesEndpoint: boolean;
  /** 410 Gone: the receiver says the endpoint will not come back, so it is disabled at once. */
  disablesEndpoint: boolean;
  reason: AttemptReason;
}

/**
 * The one rule for what an attempt's outcome means; the dispatcher and the meta-event
 * sender both follow it.
 *
 * Retried: 3xx (redirects are not followed, so the attempt failed), 4xx (a 401/404/422 is
 * usually a receiver deploy or configuration problem that gets fixed, and giving up would
 * lose the event), 429 (with its Retry-After), 5xx, timeouts, network errors and an
 * unreachable egress proxy, like Convoy's at-least-once mode. 410 Gone is retried too, but
 * disables the endpoint, so the retry waits, held, until someone activates the endpoint
 * again: nothing is lost if the receiver comes back.
 *
 * Not retried: a denial by the SSRF policy and a URL that cannot be parsed. Both fail the
 * same way until the endpoint is changed.
 */
export function classifyAttempt(o: AttemptOutcome): AttemptVerdict {
  if (o.status === undefined) {
    // the subscription's transform function failed before anything was sent: retried, the endpoint not blamed
    if (o.errorClass.startsWith('function_')) return verdict('function_failed', true, false);
    if (o.errorClass.startsWith('egress_denied')) return verdict('egress_denied', false, false);
    if (o.errorClass === 'invalid_url') return verdict('invalid_url', false, false);
    if (o.errorClass === 'proxy_unavailable' || o.errorClass === 'proxy_busy') return verdict('egress_unavailable', true, false);
    if (o.errorClass === 'timeout' || o.errorClass === 'connect_timeout') return verdict('timeout', true, true);
    return verdict('network_error', true, true);
  }
  const status = o.status;
  if (!Number.isInteger(status) || status < 200 || status > 599) return verdict('invalid_status', true, true);
  if (status < 300) return { success: true, retryable: false, blamesEndpoint: false, disablesEndpoint: false, reason: 'success' };
  if (status < 400) return verdict('redirect', true, true);
  if (status === 410) return { ...verdict('gone', true, true), disablesEndpoint: true };
  if (status < 500) return verdict('client_error', true, true);
  return verdict('server_error', true, true);
}

function verdict(reason: AttemptReason, retryable: boolean, blamesEndpoint: boolean): AttemptVerdict {
  return { success: false, retryable, blamesEndpoint, disablesEndpoint: false, reason };
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
