import { classifyAttempt } from '../../../common/retry-policy';
import type { SendOutcome } from '../../webhook-http';
import { nextState } from './next-state';

const now = new Date('2026-01-01T00:00:00Z');
const linear = { type: 'linear' as const, duration: 100, retry_count: 3 };
const failed = (over: Partial<SendOutcome> = {}): SendOutcome => ({
  ok: false,
  status: 500,
  headers: {},
  body: '',
  durationMs: 1,
  errorClass: 'http_5xx',
  error: 'HTTP 500',
  requestedAt: now,
  ipAddress: '',
  ...over,
});
const next = (attempts: number, o: SendOutcome, mode: 'at_least_once' | 'at_most_once' = 'at_least_once') =>
  nextState({ attempts, retry_limit: 3, delivery_mode: mode }, o, classifyAttempt(o), linear, now, () => 0.5);

describe('nextState', () => {
  it('retries on the schedule until retry_limit attempts were made, counting the first (Convoy)', () => {
    expect(next(0, failed())).toMatchObject({ status: 'Retry', nextAttemptAt: new Date(now.getTime() + 100_000), bumpGeneration: true });
    expect(next(1, failed()).status).toBe('Retry');
    expect(next(2, failed())).toMatchObject({ status: 'Failure', description: 'http_5xx: HTTP 500 (retry limit reached)' });
  });

  it('waits longer when the receiver asks with Retry-After, never past a day', () => {
    expect(next(0, failed({ status: 429, errorClass: 'http_4xx', retryAfter: '600' })).nextAttemptAt).toEqual(new Date(now.getTime() + 600_000));
    expect(next(0, failed({ status: 503, retryAfter: '9999999' })).nextAttemptAt).toEqual(new Date(now.getTime() + 86_400_000));
    expect(next(0, failed({ retryAfter: '1' })).nextAttemptAt).toEqual(new Date(now.getTime() + 100_000));
  });

  it('never retries an at-most-once delivery or a permanent failure', () => {
    expect(next(0, failed(), 'at_most_once').status).toBe('Failure');
    expect(next(0, failed({ status: undefined, errorClass: 'invalid_url', error: 'bad' })).status).toBe('Failure');
  });

  it('ends Success on a 2xx', () => {
    const ok = failed({ ok: true, status: 204, errorClass: '', error: '' });
    expect(next(2, ok)).toEqual({ status: 'Success', nextAttemptAt: null, description: '', bumpGeneration: false });
  });
});
