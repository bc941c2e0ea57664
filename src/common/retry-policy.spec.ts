import {
  attemptsAllowed,
  classifyAttempt,
  DEFAULT_MAX_RETRY_DELAY_MS,
  MAX_RETRY_DELAY_MS,
  MIN_RETRY_DELAY_MS,
  nextRetryDelayMs,
  retryAfterMs,
  type RetryStrategy,
} from './retry-policy';

const linear = (duration: number): RetryStrategy => ({ type: 'linear', duration, retry_count: 5 });
const exponential = (duration: number): RetryStrategy => ({ type: 'exponential', duration, retry_count: 10 });
const fixed = (r: number) => () => r;

describe('attemptsAllowed (Convoy: retry_limit counts the first attempt)', () => {
  it.each([
    [10, 10],
    [3, 3],
    [1, 1],
    [0, 1],
    [-4, 1],
    [2.9, 2],
    [Number.NaN, 1],
    [Number.POSITIVE_INFINITY, 1],
  ])('retry_count %p → %p attempts in total', (count, total) => {
    expect(attemptsAllowed(count)).toBe(total);
  });
});

describe('nextRetryDelayMs — linear', () => {
  it('waits the configured duration every time, without jitter', () => {
    for (const attempt of [1, 2, 7, 50]) expect(nextRetryDelayMs(linear(100), attempt, fixed(0.99))).toBe(100_000);
  });

  it('uses Math.random when no source is given and stays deterministic for linear', () => {
    expect(nextRetryDelayMs(linear(30), 1)).toBe(30_000);
  });

  it('never goes below one second or above a day', () => {
    expect(nextRetryDelayMs(linear(0), 1)).toBe(MIN_RETRY_DELAY_MS);
    expect(nextRetryDelayMs(linear(-5), 1)).toBe(MIN_RETRY_DELAY_MS);
    expect(nextRetryDelayMs(linear(Number.NaN), 1)).toBe(MIN_RETRY_DELAY_MS);
    expect(nextRetryDelayMs(linear(10 * 86_400), 1)).toBe(MAX_RETRY_DELAY_MS);
  });
});

describe('nextRetryDelayMs — exponential', () => {
  it("follows Convoy's duration × 2^(attempt-1) without jitter", () => {
    const delays = [1, 2, 3, 4, 5].map((n) => nextRetryDelayMs(exponential(10), n, fixed(0.5), { jitter: 'none' }));
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000]);
  });

  it("flattens out at Convoy's two hours by default, or at a chosen cap up to a day", () => {
    expect(DEFAULT_MAX_RETRY_DELAY_MS).toBe(7_200_000);
    expect(nextRetryDelayMs(exponential(10), 30, fixed(0.5), { jitter: 'none' })).toBe(7_200_000);
    expect(nextRetryDelayMs(exponential(10), 30, fixed(0.5), { jitter: 'none', maxDelayMs: 60_000 })).toBe(60_000);
    expect(nextRetryDelayMs(exponential(10), 30, fixed(0.5), { jitter: 'none', maxDelayMs: 10 * MAX_RETRY_DELAY_MS })).toBe(MAX_RETRY_DELAY_MS);
  });

  it('stays finite for absurd attempt numbers', () => {
    for (const n of [1_000, 1e9, Number.MAX_SAFE_INTEGER]) {
      const d = nextRetryDelayMs(exponential(10), n, fixed(1 - Number.EPSILON));
      expect(Number.isFinite(d)).toBe(true);
      expect(d).toBeLessThanOrEqual(DEFAULT_MAX_RETRY_DELAY_MS);
    }
  });

  it('treats attempt numbers below one as the first attempt', () => {
    expect(nextRetryDelayMs(exponential(10), 0, fixed(0), { jitter: 'none' })).toBe(10_000);
    expect(nextRetryDelayMs(exponential(10), -3, fixed(0), { jitter: 'none' })).toBe(10_000);
    expect(nextRetryDelayMs(exponential(10), Number.NaN, fixed(0), { jitter: 'none' })).toBe(10_000);
  });

  describe('full jitter', () => {
    it('spreads over [0, nominal] with a one-second floor', () => {
      expect(nextRetryDelayMs(exponential(10), 3, fixed(0), { jitter: 'full' })).toBe(MIN_RETRY_DELAY_MS);
      expect(nextRetryDelayMs(exponential(10), 3, fixed(0.5), { jitter: 'full' })).toBe(20_000);
      expect(nextRetryDelayMs(exponential(10), 3, fixed(0.999999), { jitter: 'full' })).toBe(40_000);
    });
  });

  describe('decorrelated jitter (the default)', () => {
    it('is the default', () => {
      expect(nextRetryDelayMs(exponential(10), 3, fixed(0.25))).toBe(nextRetryDelayMs(exponential(10), 3, fixed(0.25), { jitter: 'decorrelated' }));
    });

    it('never waits less than the configured duration', () => {
      for (const n of [1, 2, 5, 12]) expect(nextRetryDelayMs(exponential(10), n, fixed(0))).toBe(10_000);
    });

    it('reaches up to three times the previous delay', () => {
      expect(nextRetryDelayMs(exponential(10), 1, fixed(0.999999))).toBe(30_000);
      expect(nextRetryDelayMs(exponential(10), 3, fixed(0.999999))).toBe(60_000);
      expect(nextRetryDelayMs(exponential(10), 3, fixed(0.999999), { previousDelayMs: 50_000 })).toBe(150_000);
    });

    it('respects the cap', () => {
      expect(nextRetryDelayMs(exponential(10), 20, fixed(1 - 1e-12))).toBe(DEFAULT_MAX_RETRY_DELAY_MS);
      expect(nextRetryDelayMs(exponential(10), 5, fixed(1 - 1e-12), { previousDelayMs: 1e12 })).toBe(DEFAULT_MAX_RETRY_DELAY_MS);
      expect(nextRetryDelayMs(exponential(600), 1, fixed(0.5), { maxDelayMs: 60_000 })).toBe(60_000);
    });

    it('grows on average like the nominal curve', () => {
      let seed = 42;
      const lcg = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      const mean = (n: number) => Array.from({ length: 2000 }, () => nextRetryDelayMs(exponential(10), n, lcg)).reduce((a, b) => a + b) / 2000;
      expect(mean(2)).toBeLessThan(mean(4));
      expect(mean(4)).toBeLessThan(mean(6));
    });
  });

  it('tolerates a random source that misbehaves', () => {
    expect(nextRetryDelayMs(exponential(10), 2, fixed(Number.NaN), { jitter: 'full' })).toBe(MIN_RETRY_DELAY_MS);
    expect(nextRetryDelayMs(exponential(10), 2, fixed(7), { jitter: 'full' })).toBe(20_000);
    expect(nextRetryDelayMs(exponential(10), 2, fixed(-1), { jitter: 'decorrelated' })).toBe(10_000);
  });
});

describe('retryAfterMs', () => {
  const now = new Date('2024-05-01T12:00:00Z');

  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 30 ', 30_000],
    ['007', 7_000],
  ])('reads delta-seconds %p', (v, ms) => {
    expect(retryAfterMs(v, now)).toBe(ms);
  });

  it('reads the three HTTP-date forms', () => {
    const later = new Date(now.getTime() + 90_000);
    expect(retryAfterMs(later.toUTCString(), now)).toBe(90_000);
    expect(retryAfterMs('Wednesday, 01-May-24 12:01:30 GMT', now)).toBe(90_000);
    expect(retryAfterMs('Wed May  1 12:01:30 2024', now)).toBe(90_000);
  });

  it('treats a date in the past as "now"', () => {
    expect(retryAfterMs('Wed, 01 May 2024 11:00:00 GMT', now)).toBe(0);
  });

  it('caps at a day by default, or at the given cap', () => {
    expect(retryAfterMs('999999999999', now)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryAfterMs('Fri, 01 Jan 2100 00:00:00 GMT', now)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryAfterMs('3600', now, 60_000)).toBe(60_000);
  });

  it.each([
    undefined,
    '',
    '   ',
    '-5',
    '1.5',
    '+5',
    '5s',
    '0x10',
    '1e3',
    'soon',
    'Wed, 32 May 2024 12:00:00 GMT',
    '2024-05-01T12:01:30Z',
    'Wed, 01 May 2024 12:01:30 +0000',
    'x'.repeat(100),
  ])('ignores %p', (v) => {
    expect(retryAfterMs(v, now)).toBeUndefined();
  });

  it('ignores everything when the clock itself is invalid', () => {
    expect(retryAfterMs('Wed, 01 May 2024 12:01:30 GMT', new Date(Number.NaN))).toBeUndefined();
  });
});

describe('classifyAttempt', () => {
  const failure = (reason: string, retryable = true, blamesEndpoint = true) => ({ success: false, retryable, blamesEndpoint, disablesEndpoint: false, reason });

  it.each([200, 201, 202, 204, 299])('%p is a success', (status) => {
    expect(classifyAttempt({ status, errorClass: '' })).toEqual({
      success: true,
      retryable: false,
      blamesEndpoint: false,
      disablesEndpoint: false,
      reason: 'success',
    });
  });

  it.each([
    [301, 'redirect'],
    [302, 'redirect'],
    [304, 'redirect'],
    [308, 'redirect'],
    [400, 'client_error'],
    [401, 'client_error'],
    [403, 'client_error'],
    [404, 'client_error'],
    [408, 'client_error'],
    [413, 'client_error'],
    [422, 'client_error'],
    [429, 'client_error'],
    [500, 'server_error'],
    [502, 'server_error'],
    [503, 'server_error'],
    [599, 'server_error'],
  ])('%p fails, is retried and counts against the endpoint (%s)', (status, reason) => {
    expect(classifyAttempt({ status, errorClass: `http_${Math.floor(status / 100)}xx` })).toEqual(failure(reason));
  });

  it('retries 410 Gone but disables the endpoint, so the retry waits for its reactivation', () => {
    expect(classifyAttempt({ status: 410, errorClass: 'http_4xx' })).toEqual({ ...failure('gone'), disablesEndpoint: true });
  });

  it('retries timeouts and network errors against the endpoint', () => {
    expect(classifyAttempt({ errorClass: 'timeout' })).toEqual(failure('timeout'));
    expect(classifyAttempt({ errorClass: 'connect_timeout' })).toEqual(failure('timeout'));
    for (const c of ['connection_refused', 'dns', 'tls', 'network', 'response_too_large'])
      expect(classifyAttempt({ errorClass: c })).toEqual(failure('network_error'));
  });

  it("retries our own egress proxy's failures without blaming the endpoint", () => {
    expect(classifyAttempt({ errorClass: 'proxy_unavailable' })).toEqual(failure('egress_unavailable', true, false));
    expect(classifyAttempt({ errorClass: 'proxy_busy' })).toEqual(failure('egress_unavailable', true, false));
  });

  it('does not retry what fails the same way until the endpoint changes', () => {
    expect(classifyAttempt({ errorClass: 'egress_denied:private' })).toEqual(failure('egress_denied', false, false));
    expect(classifyAttempt({ errorClass: 'invalid_url' })).toEqual(failure('invalid_url', false, false));
  });

  it.each([0, 100, 101, 199, 600, 999, 200.5, Number.NaN])('treats the impossible status %p as a retryable failure', (status) => {
    expect(classifyAttempt({ status, errorClass: '' })).toEqual(failure('invalid_status'));
  });
});
