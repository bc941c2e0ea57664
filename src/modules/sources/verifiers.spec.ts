import { createHmac, randomBytes } from 'node:crypto';
import { InboundRequest, twitterCrcResponse, VerifierConfig, verifyRequest } from './verifiers';

const body = Buffer.from('{"action":"opened","number":7}');
const now = new Date('2026-03-01T12:00:00Z');
const nowSeconds = Math.floor(now.getTime() / 1000);

const req = (headers: Record<string, string>, raw = body): InboundRequest => ({
  rawBody: raw,
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
});
const hmac = (alg: string, key: string | Buffer, data: string | Buffer) => createHmac(alg, key).update(data).digest();
const hmacCfg = (secret: string): VerifierConfig => ({ type: 'hmac', hmac: { header: 'X-Sig', hash: 'SHA256', encoding: 'hex', secret } });

describe('provider presets', () => {
  const secret = 'provider-secret';

  it('github: X-Hub-Signature-256 is sha256= and the hex HMAC-SHA256 of the raw body', () => {
    const good = `sha256=${hmac('sha256', secret, body).toString('hex')}`;
    expect(verifyRequest('github', hmacCfg(secret), req({ 'X-Hub-Signature-256': good }), now).ok).toBe(true);
    expect(verifyRequest('github', hmacCfg(secret), req({ 'X-Hub-Signature-256': `sha256=${hmac('sha256', 'other', body).toString('hex')}` }), now).ok).toBe(
      false,
    );
    expect(verifyRequest('github', hmacCfg(secret), req({}), now).ok).toBe(false);
    // the signature of a re-serialised body does not verify the bytes that came
    expect(verifyRequest('github', hmacCfg(secret), req({ 'X-Hub-Signature-256': good }, Buffer.from('{"action": "opened","number":7}')), now).ok).toBe(false);
    expect(verifyRequest('github', hmacCfg(secret), req({ 'X-Hub-Signature-256': hmac('sha256', secret, body).toString('hex') }), now).ok).toBe(false);
  });

  it('shopify: X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw body', () => {
    const good = hmac('sha256', secret, body).toString('base64');
    expect(verifyRequest('shopify', hmacCfg(secret), req({ 'X-Shopify-Hmac-Sha256': good }), now).ok).toBe(true);
    expect(verifyRequest('shopify', hmacCfg(secret), req({ 'X-Shopify-Hmac-Sha256': hmac('sha256', 'x', body).toString('base64') }), now).ok).toBe(false);
    expect(verifyRequest('shopify', hmacCfg(secret), req({}), now).ok).toBe(false);
  });

  it('twitter: X-Twitter-Webhooks-Signature is sha256= and the base64 HMAC; the CRC answer signs the token', () => {
    const good = `sha256=${hmac('sha256', secret, body).toString('base64')}`;
    expect(verifyRequest('twitter', hmacCfg(secret), req({ 'X-Twitter-Webhooks-Signature': good }), now).ok).toBe(true);
    expect(verifyRequest('twitter', hmacCfg(secret), req({ 'X-Twitter-Webhooks-Signature': 'sha256=AAAA' }), now).ok).toBe(false);
    expect(verifyRequest('twitter', hmacCfg(secret), req({}), now).ok).toBe(false);
    expect(twitterCrcResponse(secret, 'token-1')).toBe(`sha256=${hmac('sha256', secret, 'token-1').toString('base64')}`);
  });
});

describe('hmac verifier', () => {
  it.each([
    ['SHA256', 'hex'],
    ['SHA256', 'base64'],
    ['SHA512', 'hex'],
    ['SHA512', 'base64'],
  ] as const)('%s %s: good, bad, missing, undecodable', (hash, encoding) => {
    const cfg: VerifierConfig = { type: 'hmac', hmac: { header: 'X-Sig', hash, encoding, secret: 's3cret' } };
    const sig = hmac(hash.toLowerCase(), 's3cret', body).toString(encoding);
    expect(verifyRequest('', cfg, req({ 'X-Sig': sig }), now)).toEqual({ ok: true });
    expect(verifyRequest('', cfg, req({ 'X-Sig': hmac(hash.toLowerCase(), 'wrong', body).toString(encoding) }), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({}), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({ 'X-Sig': '!!not-encoded!!' }), now).ok).toBe(false);
  });
});

describe('basic auth verifier', () => {
  const cfg: VerifierConfig = { type: 'basic_auth', basic_auth: { username: 'shop', password: 'p:ss' } };
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

  it('accepts the right pair (a colon in the password included) and nothing else', () => {
    expect(verifyRequest('', cfg, req({ Authorization: basic('shop', 'p:ss') }), now).ok).toBe(true);
    expect(verifyRequest('', cfg, req({ Authorization: basic('shop', 'p:s') }), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({ Authorization: basic('shops', 'p:ss') }), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({ Authorization: `Bearer ${Buffer.from('shop:p:ss').toString('base64')}` }), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({}), now).ok).toBe(false);
  });
});

describe('api key verifier', () => {
  const cfg: VerifierConfig = { type: 'api_key', api_key: { header_name: 'X-Api-Key', header_value: 'key-123' } };
  it('compares the named header', () => {
    expect(verifyRequest('', cfg, req({ 'X-Api-Key': 'key-123' }), now).ok).toBe(true);
    expect(verifyRequest('', cfg, req({ 'X-Api-Key': 'key-1234' }), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({ 'X-Other': 'key-123' }), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({ 'X-Api-Key': '  ' }), now).ok).toBe(false);
  });
});

describe('standard webhooks verifier', () => {
  const key = randomBytes(32);
  const secret = `whsec_${key.toString('base64')}`;
  const cfg: VerifierConfig = { type: 'standard_webhooks', standard_webhooks: { secret, tolerance: 300 } };
  const sign = (id: string, ts: number, k = key) => `v1,${hmac('sha256', k, Buffer.concat([Buffer.from(`${id}.${ts}.`), body])).toString('base64')}`;

  it('good, bad, missing and expired', () => {
    const good = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(nowSeconds), 'webhook-signature': sign('msg_1', nowSeconds) };
    const ok = verifyRequest('', cfg, req(good), now);
    expect(ok.ok).toBe(true);
    expect(ok.ok && ok.replay?.ttlSeconds).toBe(601);
    expect(verifyRequest('', cfg, req({ ...good, 'webhook-signature': sign('msg_1', nowSeconds, randomBytes(32)) }), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({ ...good, 'webhook-id': 'msg_2' }), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(nowSeconds) }), now).ok).toBe(false);
    const old = nowSeconds - 301;
    expect(verifyRequest('', cfg, req({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(old), 'webhook-signature': sign('msg_1', old) }), now)).toEqual({
      ok: false,
      reason: 'timestamp outside the tolerance',
    });
  });

  it('accepts any of several signatures and skips other versions', () => {
    const h = { 'webhook-id': 'm', 'webhook-timestamp': String(nowSeconds), 'webhook-signature': `v1a,xyz v1,AAAA ${sign('m', nowSeconds)}` };
    expect(verifyRequest('', cfg, req(h), now).ok).toBe(true);
  });
});

describe('timestamped hmac verifier (t=…,v1=…)', () => {
  const cfg: VerifierConfig = {
    type: 'timestamped_hmac',
    timestamped_hmac: { header: 'Stripe-Signature', hash: 'SHA256', secret: 'whsec_test', tolerance: 60 },
  };
  const sign = (t: number, s = 'whsec_test') => hmac('sha256', s, Buffer.concat([Buffer.from(`${t}.`), body])).toString('hex');

  it('good, bad, missing and expired', () => {
    expect(verifyRequest('', cfg, req({ 'Stripe-Signature': `t=${nowSeconds},v1=${sign(nowSeconds)}` }), now).ok).toBe(true);
    expect(verifyRequest('', cfg, req({ 'Stripe-Signature': `t=${nowSeconds},v1=${sign(nowSeconds, 'other')}` }), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({ 'Stripe-Signature': `t=${nowSeconds + 1},v1=${sign(nowSeconds)}` }), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({}), now).ok).toBe(false);
    expect(verifyRequest('', cfg, req({ 'Stripe-Signature': `v1=${sign(nowSeconds)}` }), now).ok).toBe(false);
    const old = nowSeconds - 61;
    expect(verifyRequest('', cfg, req({ 'Stripe-Signature': `t=${old},v1=${sign(old)}` }), now)).toEqual({
      ok: false,
      reason: 'timestamp outside the tolerance',
    });
  });

  it('a rotation: any matching v1 passes, and the digest is the replay fingerprint', () => {
    const v = verifyRequest('', cfg, req({ 'Stripe-Signature': `t=${nowSeconds},v1=${sign(nowSeconds, 'old')},v1=${sign(nowSeconds)}` }), now);
    expect(v).toEqual({ ok: true, replay: { fingerprint: Buffer.from(sign(nowSeconds), 'hex').toString('base64url'), ttlSeconds: 121 } });
  });
});

it('noop accepts anything', () => {
  expect(verifyRequest('', { type: 'noop' }, req({}), now).ok).toBe(true);
});
