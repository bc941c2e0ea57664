import { metricsAllowed } from './metrics-access';

describe('metricsAllowed', () => {
  it('without a token: side ports only', () => {
    expect(metricsAllowed(undefined, undefined, false)).toBe(true);
    expect(metricsAllowed(undefined, 'Bearer anything', true)).toBe(false);
  });

  it('with a token: the token, on every port', () => {
    expect(metricsAllowed('s3cret-token', 'Bearer s3cret-token', true)).toBe(true);
    expect(metricsAllowed('s3cret-token', 'bearer s3cret-token', false)).toBe(true);
    expect(metricsAllowed('s3cret-token', 'Bearer wrong', false)).toBe(false);
    expect(metricsAllowed('s3cret-token', undefined, false)).toBe(false);
  });
});
