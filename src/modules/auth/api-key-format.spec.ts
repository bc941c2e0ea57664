import { generateApiKey, hashSecret, parseApiKey } from './api-key-format';

describe('api key format', () => {
  it('generates CO.<mask>.<secret> keys whose hash verifies', () => {
    const k = generateApiKey();
    expect(k.key).toMatch(/^CO\.[A-Za-z0-9]{16}\.[A-Za-z0-9]{48}$/);
    const parsed = parseApiKey(k.key);
    expect(parsed?.maskId).toBe(k.maskId);
    expect(hashSecret(parsed!.secret, k.salt)).toBe(k.hash);
    expect(k.hash).not.toContain(parsed!.secret);
  });

  it('never generates the same key twice in a row', () => {
    expect(generateApiKey().key).not.toBe(generateApiKey().key);
  });

  it.each(['', 'CO.', 'CO.abc', 'Bearer x', 'CO.abcdefgh.short', 'CO.abc!defgh.0123456789abcdefghij', 'XX.abcdefgh.0123456789abcdefghij'])(
    'rejects malformed token %p',
    (t) => expect(parseApiKey(t)).toBeUndefined(),
  );
});
