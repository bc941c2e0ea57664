import { redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('redacts credential-like query values and keeps the rest', () => {
    expect(redactUrl('/api/v1/projects/p/events?token=CO.abc.secret&perPage=10')).toBe('/api/v1/projects/p/events?token=[redacted]&perPage=10');
    expect(redactUrl('/x?API_KEY=1&api-key=2&apiKey=3&Authorization=4&q=5')).toBe(
      '/x?API_KEY=[redacted]&api-key=[redacted]&apiKey=[redacted]&Authorization=[redacted]&q=5',
    );
  });

  it('drops user-info and leaves plain paths alone', () => {
    expect(redactUrl('http://user:pass@host/x?a=1')).toBe('http://host/x?a=1');
    expect(redactUrl('/health/ready')).toBe('/health/ready');
    expect(redactUrl('/x?%ZZ=1&flag')).toBe('/x?%ZZ=1&flag');
  });
});
