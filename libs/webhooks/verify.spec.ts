import vectors from '../../test/fixtures/convoy-signature-vectors.json';
import { signConvoy, type ConvoyEncoding, type ConvoyHash } from './convoy-signature';
import { generateStandardSecret, standardWebhookHeaders } from './standard-webhooks';
import { verifyConvoySignature, verifyStandardWebhook } from './verify';

const PAYLOAD = '{"event":"charge.success","amount":1000,"currency":"NGN"}';
const T = 1700000000;
const AT_T = new Date(T * 1000);

describe('verifyConvoySignature against Convoy vectors', () => {
  it('has all 17 vectors', () => {
    expect(vectors).toHaveLength(17);
  });

  it.each(vectors.map((v) => [v.name, v.valid, v] as const))('%s → %p (now = real clock, tolerance as given)', (_name, valid, v) => {
    const ok = verifyConvoySignature({
      payload: v.payload,
      header: v.header,
      secret: v.secret,
      hash: v.hash as ConvoyHash,
      encoding: v.encoding as ConvoyEncoding,
      advanced: v.advanced,
      toleranceSeconds: v.tolerance,
    });
    expect(ok).toBe(valid);
  });

  it('rejects the expired vector for its age alone: at its own time it verifies', () => {
    const v = vectors.find((x) => x.name === 'advanced_expired')!;
    const base = { payload: v.payload, header: v.header, secret: v.secret, hash: 'SHA256', encoding: 'hex', advanced: true } as const;
    expect(verifyConvoySignature({ ...base, toleranceSeconds: 300, now: new Date((T + 300) * 1000) })).toBe(true);
    expect(verifyConvoySignature({ ...base, toleranceSeconds: 300, now: new Date((T + 301) * 1000) })).toBe(false);
    expect(verifyConvoySignature({ ...base, toleranceSeconds: 300, now: new Date((T - 301) * 1000) })).toBe(false);
  });
});

describe('verifyConvoySignature round trips with the signer', () => {
  const matrix = (['SHA256', 'SHA512'] as const).flatMap((hash) =>
    (['hex', 'base64'] as const).flatMap((encoding) => [true, false].map((advanced) => [hash, encoding, advanced] as const)),
  );

  it.each(matrix)('%s/%s advanced=%p', (hash, encoding, advanced) => {
    const header = signConvoy({ payload: PAYLOAD, secrets: ['s3cret'], hash, encoding, advanced, timestamp: T });
    const base = { payload: PAYLOAD, header, hash, encoding, advanced, now: AT_T };
    expect(verifyConvoySignature({ ...base, secret: 's3cret' })).toBe(true);
    expect(verifyConvoySignature({ ...base, secret: 'other' })).toBe(false);
    expect(verifyConvoySignature({ ...base, secret: 's3cret', payload: PAYLOAD.replace('1000', '1001') })).toBe(false);
  });

  it('verifies during a rotation whichever of the two secrets the receiver holds', () => {
    const header = signConvoy({ payload: PAYLOAD, secrets: ['old', 'new'], hash: 'SHA256', encoding: 'hex', advanced: true, timestamp: T });
    const base = { payload: PAYLOAD, header, hash: 'SHA256', encoding: 'hex', advanced: true, now: AT_T } as const;
    expect(verifyConvoySignature({ ...base, secret: 'old' })).toBe(true);
    expect(verifyConvoySignature({ ...base, secret: 'new' })).toBe(true);
    expect(verifyConvoySignature({ ...base, secret: ['retired', 'new'] })).toBe(true);
    expect(verifyConvoySignature({ ...base, secret: 'retired' })).toBe(false);
  });

  it('lets a receiver holding old and new secrets accept a simple signature made with either', () => {
    const header = signConvoy({ payload: PAYLOAD, secrets: ['old', 'new'], hash: 'SHA256', encoding: 'hex', advanced: false, timestamp: T });
    const base = { payload: PAYLOAD, header, hash: 'SHA256', encoding: 'hex', advanced: false } as const;
    expect(verifyConvoySignature({ ...base, secret: ['old', 'new'] })).toBe(true);
    expect(verifyConvoySignature({ ...base, secret: 'old' })).toBe(false);
  });

  it('verifies raw bytes as well as text', () => {
    const header = signConvoy({ payload: PAYLOAD, secrets: ['k'], hash: 'SHA256', encoding: 'hex', advanced: true, timestamp: T });
    expect(verifyConvoySignature({ payload: Buffer.from(PAYLOAD), header, secret: 'k', hash: 'SHA256', encoding: 'hex', advanced: true, now: AT_T })).toBe(
      true,
    );
  });

  it('uses five minutes of tolerance by default', () => {
    const header = signConvoy({ payload: PAYLOAD, secrets: ['k'], hash: 'SHA256', encoding: 'hex', advanced: true, timestamp: T });
    const base = { payload: PAYLOAD, header, secret: 'k', hash: 'SHA256', encoding: 'hex', advanced: true } as const;
    expect(verifyConvoySignature({ ...base, now: new Date((T + 300) * 1000) })).toBe(true);
    expect(verifyConvoySignature({ ...base, now: new Date((T + 301) * 1000) })).toBe(false);
  });
});

describe('verifyConvoySignature refuses malformed advanced headers', () => {
  const good = signConvoy({ payload: PAYLOAD, secrets: ['k'], hash: 'SHA256', encoding: 'hex', advanced: true, timestamp: T });
  const sig = good.split(',v1=')[1];
  const check = (header: string | undefined | null) =>
    verifyConvoySignature({ payload: PAYLOAD, header, secret: 'k', hash: 'SHA256', encoding: 'hex', advanced: true, now: AT_T });

  it('accepts the well-formed header and tolerates spaces after commas', () => {
    expect(check(good)).toBe(true);
    expect(check(`t=${T}, v1=${sig}`)).toBe(true);
    expect(check(`t=${T},v1=${sig.toUpperCase()}`)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['empty', ''],
    ['two timestamps', `t=${T},t=${T + 1},v1=${sig}`],
    ['a negative timestamp', `t=-${T},v1=${sig}`],
    ['a fractional timestamp', `t=${T}.0,v1=${sig}`],
    ['an exponent timestamp', `t=1.7e9,v1=${sig}`],
    ['a hex timestamp', `t=0x6553f100,v1=${sig}`],
    ['no signature', `t=${T}`],
    ['an empty signature', `t=${T},v1=`],
    ['a truncated signature', `t=${T},v1=${sig.slice(0, -2)}`],
    ['odd-length hex', `t=${T},v1=${sig.slice(0, -1)}`],
    ['a field without =', `t=${T},v1=${sig},junk`],
    ['a field with an empty key', `t=${T},=x,v1=${sig}`],
    ['an oversized header', `t=${T},v1=${sig},${'x=y,'.repeat(3000)}`],
    ['too many signatures', `t=${T},${Array.from({ length: 40 }, () => `v1=${'00'.repeat(32)}`).join(',')},v1=${sig}`],
  ])('%s', (_name, header) => {
    expect(check(header)).toBe(false);
  });

  it('ignores unknown fields', () => {
    expect(check(`t=${T},foo=bar,v1=${sig}`)).toBe(true);
  });
});

describe('verifyConvoySignature refuses bad calls loudly', () => {
  const base = { payload: PAYLOAD, header: 'x', secret: 'k', hash: 'SHA256', encoding: 'hex', advanced: true } as const;
  it.each([
    ['an unknown hash', { hash: 'MD5' }],
    ['an unknown encoding', { encoding: 'utf8' }],
    ['a negative tolerance', { toleranceSeconds: -1 }],
    ['a NaN tolerance', { toleranceSeconds: Number.NaN }],
    ['no secret', { secret: [] }],
    ['an empty secret', { secret: '' }],
    ['a parsed body', { payload: { a: 1 } }],
  ])('%s', (_name, patch) => {
    expect(() => verifyConvoySignature({ ...base, ...patch } as unknown as Parameters<typeof verifyConvoySignature>[0])).toThrow(TypeError);
  });
});

describe('verifyStandardWebhook', () => {
  const SPEC = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    payload: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const specHeaders = { 'webhook-id': SPEC.id, 'webhook-timestamp': String(SPEC.timestamp), 'webhook-signature': SPEC.signature };
  const specNow = new Date(SPEC.timestamp * 1000);

  it('accepts the specification test vector', () => {
    expect(verifyStandardWebhook({ payload: SPEC.payload, headers: specHeaders, secret: SPEC.secret, now: specNow })).toBe(true);
  });

  it('reads node:http header records case-insensitively and Fetch Headers objects', () => {
    const upper = { 'Webhook-Id': SPEC.id, 'WEBHOOK-TIMESTAMP': String(SPEC.timestamp), 'Webhook-Signature': SPEC.signature };
    expect(verifyStandardWebhook({ payload: SPEC.payload, headers: upper, secret: SPEC.secret, now: specNow })).toBe(true);
    expect(verifyStandardWebhook({ payload: SPEC.payload, headers: new Headers(specHeaders), secret: SPEC.secret, now: specNow })).toBe(true);
  });

  it('round-trips with the signer through a rotation', () => {
    const [oldKey, newKey, stranger] = [generateStandardSecret(), generateStandardSecret(), generateStandardSecret()];
    const headers = standardWebhookHeaders({ id: 'evt_1', timestamp: T, payload: PAYLOAD, secrets: [oldKey, newKey] });
    const base = { payload: PAYLOAD, headers, now: AT_T };
    expect(verifyStandardWebhook({ ...base, secret: oldKey })).toBe(true);
    expect(verifyStandardWebhook({ ...base, secret: newKey })).toBe(true);
    expect(verifyStandardWebhook({ ...base, secret: [stranger, newKey] })).toBe(true);
    expect(verifyStandardWebhook({ ...base, secret: stranger })).toBe(false);
  });

  it('binds the id, the timestamp and the body into the signature', () => {
    const base = { payload: SPEC.payload, secret: SPEC.secret, now: specNow, toleranceSeconds: 10 };
    expect(verifyStandardWebhook({ ...base, headers: { ...specHeaders, 'webhook-id': 'msg_other' } })).toBe(false);
    expect(verifyStandardWebhook({ ...base, headers: { ...specHeaders, 'webhook-timestamp': String(SPEC.timestamp + 1) } })).toBe(false);
    expect(verifyStandardWebhook({ ...base, headers: specHeaders, payload: '{"test": 2432232315}' })).toBe(false);
  });

  it('enforces the tolerance both ways', () => {
    const base = { payload: SPEC.payload, headers: specHeaders, secret: SPEC.secret, toleranceSeconds: 60 };
    expect(verifyStandardWebhook({ ...base, now: new Date((SPEC.timestamp + 60) * 1000) })).toBe(true);
    expect(verifyStandardWebhook({ ...base, now: new Date((SPEC.timestamp + 61) * 1000) })).toBe(false);
    expect(verifyStandardWebhook({ ...base, now: new Date((SPEC.timestamp - 61) * 1000) })).toBe(false);
    expect(verifyStandardWebhook({ payload: SPEC.payload, headers: specHeaders, secret: SPEC.secret })).toBe(false);
  });

  it('accepts when any listed signature matches and skips other versions', () => {
    const sig = SPEC.signature.slice(3);
    const bogus = Buffer.alloc(32).toString('base64');
    const check = (signature: string | string[]) =>
      verifyStandardWebhook({ payload: SPEC.payload, headers: { ...specHeaders, 'webhook-signature': signature }, secret: SPEC.secret, now: specNow });
    expect(check(`v1,${bogus} v1,${sig}`)).toBe(true);
    expect(check(`v1a,${sig} v1,${sig}`)).toBe(true);
    expect(check(`v1,${bogus}  v1,${sig}`)).toBe(true);
    expect(check([`v1,${bogus}`, `v1,${sig}`])).toBe(true);
    expect(check(`v1a,${sig}`)).toBe(false);
    expect(check(`v2,${sig}`)).toBe(false);
    expect(check(`v1,${bogus}`)).toBe(false);
    expect(check(sig)).toBe(false);
    expect(check(`v1,${sig.slice(0, -4)}`)).toBe(false);
    expect(check(`v1,!!${sig}`)).toBe(false);
  });

  it.each([
    ['no id', { 'webhook-id': undefined }],
    ['an empty id', { 'webhook-id': '' }],
    ['no timestamp', { 'webhook-timestamp': undefined }],
    ['a non-numeric timestamp', { 'webhook-timestamp': 'Infinity' }],
    ['a fractional timestamp', { 'webhook-timestamp': '1614265330.0' }],
    ['a repeated timestamp header', { 'webhook-timestamp': ['1614265330', '1614265330'] }],
    ['no signature', { 'webhook-signature': undefined }],
    ['an empty signature', { 'webhook-signature': '' }],
  ])('refuses a request with %s', (_name, patch) => {
    expect(verifyStandardWebhook({ payload: SPEC.payload, headers: { ...specHeaders, ...patch }, secret: SPEC.secret, now: specNow })).toBe(false);
  });

  it('throws on a secret that cannot be decoded, rather than rejecting everything quietly', () => {
    expect(() => verifyStandardWebhook({ payload: SPEC.payload, headers: specHeaders, secret: 'whsec_%%%', now: specNow })).toThrow(TypeError);
  });
});

describe('verify.ts stays copyable', () => {
  it('imports nothing but node:crypto', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(`${__dirname}/verify.ts`, 'utf8');
    const imports = [...source.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]);
    expect(imports).toEqual(['node:crypto']);
  });
});
