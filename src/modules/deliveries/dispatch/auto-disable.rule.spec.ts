import { classifyAttempt } from '../../../common/retry-policy';
import { autoDisableDecision } from './auto-disable.rule';

const on = { disable_endpoint: true, circuit_breaker: { consecutive_failure_threshold: 3 } };
const off = { ...on, disable_endpoint: false };

describe('autoDisableDecision', () => {
  it('disables on 410 Gone whatever the project chose', () => {
    expect(autoDisableDecision(classifyAttempt({ status: 410, errorClass: 'http_4xx' }), 0, off)).toEqual({
      cause: 'gone',
      detail: 'endpoint answered 410 Gone',
    });
  });

  it('disables after the streak reaches the threshold when the project opted in', () => {
    const v = classifyAttempt({ status: 500, errorClass: 'http_5xx' });
    expect(autoDisableDecision(v, 2, on)).toBeUndefined();
    expect(autoDisableDecision(v, 3, on)).toEqual({ cause: 'failures', detail: '3 consecutive failed attempts' });
    expect(autoDisableDecision(v, 30, off)).toBeUndefined();
  });

  it('never counts failures that are not the endpoint’s, or a success', () => {
    expect(autoDisableDecision(classifyAttempt({ errorClass: 'proxy_unavailable' }), 99, on)).toBeUndefined();
    expect(autoDisableDecision(classifyAttempt({ status: 200, errorClass: '' }), 99, on)).toBeUndefined();
  });
});
