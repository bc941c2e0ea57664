import { randomBytes } from 'node:crypto';
import { constantTimeEqual, keyId, open, seal } from './secret-box';

describe('secret-box', () => {
  const key = randomBytes(32);
  const keys = new Map([[keyId(key), key]]);

  it('round-trips a secret and never stores the plaintext', () => {
    const sealed = seal(key, 'whsec_abc');
    expect(JSON.stringify(sealed)).not.toContain('whsec_abc');
    expect(open(keys, sealed)).toBe('whsec_abc');
  });

  it('rejects a tampered ciphertext', () => {
    const sealed = seal(key, 'secret');
    const ct = Buffer.from(sealed.ct, 'base64');
    ct[0] ^= 1;
    expect(() => open(keys, { ...sealed, ct: ct.toString('base64') })).toThrow();
  });

  it('names the missing key id', () => {
    const sealed = seal(randomBytes(32), 'x');
    expect(() => open(keys, sealed)).toThrow(sealed.kid);
  });

  it('compares in constant time and handles different lengths', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
