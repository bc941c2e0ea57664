import { createHmac } from 'node:crypto';
import vectors from '../../test/fixtures/convoy-signature-vectors.json';
import { generateConvoySecret, signConvoy, signConvoyVersions, type ConvoyEncoding, type ConvoyHash } from './convoy-signature';

const PAYLOAD = '{"event":"charge.success","amount":1000,"currency":"NGN"}';
const T = 1700000000;

describe('signConvoy', () => {
  const validVectors = vectors.filter((v) => v.valid && !v.name.includes('not_first') && !v.name.includes('multi'));

  it('covers the whole simple/advanced × SHA256/SHA512 × hex/base64 matrix of the vectors', () => {
    expect(validVectors).toHaveLength(8);
  });

  it.each(validVectors.map((v) => [v.name, v] as const))('reproduces Convoy vector %s byte for byte', (_name, v) => {
    const header = signConvoy({
      payload: v.payload,
      secrets: [v.secret],
      hash: v.hash as ConvoyHash,
      encoding: v.encoding as ConvoyEncoding,
      advanced: v.advanced,
      timestamp: T,
    });
    expect(header).toBe(v.header);
  });

  it('signs `<t>,<payload>` in advanced mode and the bare payload in simple mode', () => {
    const simple = signConvoy({ payload: PAYLOAD, secrets: ['s'], hash: 'SHA256', encoding: 'hex', advanced: false, timestamp: T });
    const advanced = signConvoy({ payload: PAYLOAD, secrets: ['s'], hash: 'SHA256', encoding: 'hex', advanced: true, timestamp: T });
    expect(simple).toBe(createHmac('sha256', 's').update(PAYLOAD).digest('hex'));
    expect(advanced).toBe(`t=${T},v1=${createHmac('sha256', 's').update(`${T},${PAYLOAD}`).digest('hex')}`);
  });

  it('emits one v1 per active secret during a rotation, in the given order', () => {
    const header = signConvoy({ payload: PAYLOAD, secrets: ['old', 'new'], hash: 'SHA512', encoding: 'base64', advanced: true, timestamp: T });
    const sig = (s: string) => createHmac('sha512', s).update(`${T},${PAYLOAD}`).digest('base64');
    expect(header).toBe(`t=${T},v1=${sig('old')},v1=${sig('new')}`);
  });

  it('uses only the newest secret in simple mode, as Convoy does', () => {
    const header = signConvoy({ payload: PAYLOAD, secrets: ['old', 'new'], hash: 'SHA256', encoding: 'hex', advanced: false, timestamp: T });
    expect(header).toBe(createHmac('sha256', 'new').update(PAYLOAD).digest('hex'));
  });

  it('signs bytes and strings alike, including non-ASCII text', () => {
    const text = '{"name":"Zoë ✓"}';
    const input = { secrets: ['k'], hash: 'SHA256', encoding: 'hex', advanced: true, timestamp: T } as const;
    expect(signConvoy({ ...input, payload: new TextEncoder().encode(text) })).toBe(signConvoy({ ...input, payload: text }));
  });

  it('signs a view into a larger buffer without reading past it', () => {
    const big = Buffer.from(`xx${PAYLOAD}yy`);
    const view = big.subarray(2, 2 + PAYLOAD.length);
    const input = { secrets: ['k'], hash: 'SHA256', encoding: 'hex', advanced: false, timestamp: T } as const;
    expect(signConvoy({ ...input, payload: view })).toBe(signConvoy({ ...input, payload: PAYLOAD }));
  });

  it.each([
    ['no secret', { secrets: [] }],
    ['an empty secret', { secrets: [''] }],
    ['a fractional timestamp', { timestamp: 1.5 }],
    ['a negative timestamp', { timestamp: -1 }],
    ['an unknown hash', { hash: 'MD5' }],
    ['an unknown encoding', { encoding: 'base32' }],
  ])('refuses %s', (_name, patch) => {
    const input = { payload: PAYLOAD, secrets: ['k'], hash: 'SHA256', encoding: 'hex', advanced: true, timestamp: T, ...patch };
    expect(() => signConvoy(input as Parameters<typeof signConvoy>[0])).toThrow(RangeError);
  });
});

describe('signConvoyVersions', () => {
  it('numbers the fields after the version position, each once per secret', () => {
    const header = signConvoyVersions({
      payload: PAYLOAD,
      secrets: ['a', 'b'],
      versions: [
        { hash: 'SHA256', encoding: 'hex' },
        { hash: 'SHA512', encoding: 'base64' },
      ],
      advanced: true,
      timestamp: T,
    });
    const signed = `${T},${PAYLOAD}`;
    const h = (alg: string, s: string, enc: 'hex' | 'base64') => createHmac(alg, s).update(signed).digest(enc);
    expect(header).toBe(
      [`t=${T}`, `v1=${h('sha256', 'a', 'hex')}`, `v1=${h('sha256', 'b', 'hex')}`, `v2=${h('sha512', 'a', 'base64')}`, `v2=${h('sha512', 'b', 'base64')}`].join(
        ',',
      ),
    );
  });

  it('uses the last version in simple mode', () => {
    const header = signConvoyVersions({
      payload: PAYLOAD,
      secrets: ['a'],
      versions: [
        { hash: 'SHA256', encoding: 'hex' },
        { hash: 'SHA512', encoding: 'base64' },
      ],
      advanced: false,
      timestamp: T,
    });
    expect(header).toBe(createHmac('sha512', 'a').update(PAYLOAD).digest('base64'));
  });

  it('needs at least one version', () => {
    expect(() => signConvoyVersions({ payload: PAYLOAD, secrets: ['a'], versions: [], advanced: true, timestamp: T })).toThrow(RangeError);
  });
});

describe('generateConvoySecret', () => {
  it('makes alphanumeric secrets of the asked length', () => {
    expect(generateConvoySecret()).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(generateConvoySecret(64)).toMatch(/^[A-Za-z0-9]{64}$/);
  });

  it('never repeats itself', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateConvoySecret()));
    expect(seen.size).toBe(200);
  });

  it.each([0, 15, 257, 20.5])('refuses a length of %p', (n) => {
    expect(() => generateConvoySecret(n)).toThrow(RangeError);
  });
});
