import { createHmac } from 'node:crypto';
import { decodeStandardSecret, generateStandardSecret, isValidStandardSecret, signStandard, standardWebhookHeaders } from './standard-webhooks';

// The test vector published with the Standard Webhooks specification and its reference libraries.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('signStandard', () => {
  it('reproduces the specification test vector', () => {
    expect(signStandard({ ...SPEC, secrets: [SPEC.secret] })).toBe(SPEC.signature);
  });

  it('accepts a secret without the whsec_ prefix', () => {
    expect(signStandard({ ...SPEC, secrets: [SPEC.secret.slice(6)] })).toBe(SPEC.signature);
  });

  it('keys the HMAC with the decoded secret, not its text', () => {
    const wrong = createHmac('sha256', SPEC.secret).update(`${SPEC.id}.${SPEC.timestamp}.${SPEC.payload}`).digest('base64');
    expect(signStandard({ ...SPEC, secrets: [SPEC.secret] })).not.toBe(`v1,${wrong}`);
  });

  it('space-separates one signature per secret during a rotation', () => {
    const other = generateStandardSecret();
    const header = signStandard({ ...SPEC, secrets: [SPEC.secret, other] });
    const [first, second, ...rest] = header.split(' ');
    expect(rest).toEqual([]);
    expect(first).toBe(SPEC.signature);
    expect(second).toBe(signStandard({ ...SPEC, secrets: [other] }));
  });

  it('signs bytes and strings alike', () => {
    expect(signStandard({ ...SPEC, payload: Buffer.from(SPEC.payload), secrets: [SPEC.secret] })).toBe(SPEC.signature);
  });

  it.each([
    ['an empty id', { id: '' }],
    ['an id that would split the header', { id: 'msg\r\nx-evil: 1' }],
    ['a fractional timestamp', { timestamp: 1.25 }],
    ['no secret', { secrets: [] }],
    ['a secret that is not base64', { secrets: ['whsec_not base64!'] }],
    ['an empty secret', { secrets: ['whsec_'] }],
  ])('refuses %s', (_name, patch) => {
    expect(() => signStandard({ ...SPEC, secrets: [SPEC.secret], ...patch })).toThrow(RangeError);
  });
});

describe('standardWebhookHeaders', () => {
  it('returns the three headers of one request', () => {
    expect(standardWebhookHeaders({ ...SPEC, secrets: [SPEC.secret] })).toEqual({
      'webhook-id': SPEC.id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': SPEC.signature,
    });
  });
});

describe('standard secrets', () => {
  it('generates whsec_ + base64 of 32 random bytes by default', () => {
    const secret = generateStandardSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(decodeStandardSecret(secret)).toHaveLength(32);
  });

  it('generates 24 to 64 bytes on request and refuses other sizes', () => {
    expect(decodeStandardSecret(generateStandardSecret(24))).toHaveLength(24);
    expect(decodeStandardSecret(generateStandardSecret(64))).toHaveLength(64);
    expect(() => generateStandardSecret(23)).toThrow(RangeError);
    expect(() => generateStandardSecret(65)).toThrow(RangeError);
  });

  it('never repeats itself', () => {
    expect(new Set(Array.from({ length: 100 }, () => generateStandardSecret())).size).toBe(100);
  });

  it('judges user-supplied secrets by form and size', () => {
    expect(isValidStandardSecret(SPEC.secret)).toBe(true);
    expect(isValidStandardSecret(generateStandardSecret(64))).toBe(true);
    expect(isValidStandardSecret(`whsec_${Buffer.alloc(16).toString('base64')}`)).toBe(false);
    expect(isValidStandardSecret(`whsec_${Buffer.alloc(65).toString('base64')}`)).toBe(false);
    expect(isValidStandardSecret('whsec_***')).toBe(false);
    expect(isValidStandardSecret('')).toBe(false);
  });
});
