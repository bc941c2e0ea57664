import { DEFAULT_TOKEN_LIFETIME_MS, lifetimeMsOf, MAX_TOKEN_LIFETIME_MS, readTokenResponse, refreshAtMs } from './token-response';

const now = Date.parse('2026-12-01T10:00:00Z');

describe('readTokenResponse', () => {
  it('reads the standard members', () => {
    expect(readTokenResponse({ access_token: 'abc', token_type: 'bearer', expires_in: 300 }, null, 'seconds', now)).toEqual({
      accessToken: 'abc',
      tokenType: 'Bearer',
      lifetimeMs: 300_000,
    });
  });

  it('follows the field mapping of a non-standard answer', () => {
    const t = readTokenResponse(
      { accessToken: 'xyz', tokenType: 'MAC', expiresIn: '2' },
      { access_token: 'accessToken', token_type: 'tokenType', expires_in: 'expiresIn' },
      'minutes',
      now,
    );
    expect(t).toEqual({ accessToken: 'xyz', tokenType: 'MAC', lifetimeMs: 120_000 });
    // the standard names are not used once mapped away
    expect(() => readTokenResponse({ access_token: 'abc' }, { access_token: 'token' }, 'seconds', now)).toThrow('has no "token"');
  });

  it('defaults the type to Bearer and the lifetime to an hour, and caps the lifetime', () => {
    expect(readTokenResponse({ access_token: 'a' }, null, undefined, now)).toMatchObject({ tokenType: 'Bearer', lifetimeMs: DEFAULT_TOKEN_LIFETIME_MS });
    expect(readTokenResponse({ access_token: 'a', expires_in: 86_400 }, null, 'seconds', now).lifetimeMs).toBe(MAX_TOKEN_LIFETIME_MS);
  });

  it('refuses what cannot be sent', () => {
    expect(() => readTokenResponse({ access_token: '' }, null, 'seconds', now)).toThrow('has no "access_token"');
    expect(() => readTokenResponse({ access_token: 'a\r\nX-Injected: 1' }, null, 'seconds', now)).toThrow('cannot be sent in a header');
    expect(() => readTokenResponse({ access_token: 'a', token_type: 'Bearer x' }, null, 'seconds', now)).toThrow('is not a token type');
    expect(() => readTokenResponse([], null, 'seconds', now)).toThrow('did not answer a JSON object');
  });
});

describe('lifetimeMsOf', () => {
  it.each([
    [90, 'seconds', 90_000],
    [90_000, 'milliseconds', 90_000],
    [3, 'minutes', 180_000],
    [1, 'hours', 3_600_000],
    ['45', '', 45_000],
    [1.5, 'minutes', 90_000],
  ] as const)('%p %s is %p ms', (value, unit, ms) => {
    expect(lifetimeMsOf(value, unit, now)).toBe(ms);
  });

  it('reads a Unix time or a date as the moment of expiry', () => {
    expect(lifetimeMsOf(now / 1000 + 600, 'seconds', now)).toBe(600_000);
    expect(lifetimeMsOf(now + 600_000, 'milliseconds', now)).toBe(600_000);
    expect(lifetimeMsOf('2026-12-01T10:05:00Z', 'seconds', now)).toBe(300_000);
  });

  it('says nothing for values that say nothing', () => {
    for (const v of [undefined, null, 0, -5, 'soon', {}, Number.NaN]) expect(lifetimeMsOf(v, 'seconds', now)).toBeUndefined();
  });
});

describe('refreshAtMs', () => {
  it('renews a tenth of the lifetime early, at most a minute early', () => {
    expect(refreshAtMs(now, 100_000)).toBe(now + 90_000);
    expect(refreshAtMs(now, 3_600_000)).toBe(now + 3_540_000);
  });
});
