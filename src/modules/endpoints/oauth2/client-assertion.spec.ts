import { createPublicKey, generateKeyPairSync, JsonWebKey, verify, constants } from 'node:crypto';
import { buildClientAssertion, importSigningKey, SigningAlgorithm, SigningJwk } from './client-assertion';

function jwkPair(kind: 'ec' | 'rsa', curve = ''): { jwk: SigningJwk; publicJwk: JsonWebKey } {
  const { privateKey, publicKey } =
    kind === 'ec' ? generateKeyPairSync('ec', { namedCurve: curve || 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { jwk: { ...(privateKey.export({ format: 'jwk' }) as Omit<SigningJwk, 'kid'>), kid: 'key-1' }, publicJwk: publicKey.export({ format: 'jwk' }) };
}

function decode(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function verifies(jwt: string, publicJwk: JsonWebKey, alg: SigningAlgorithm): boolean {
  const [h, c, s] = jwt.split('.');
  const key = createPublicKey({ key: publicJwk, format: 'jwk' });
  const hash = `sha${alg.slice(2)}`;
  const data = Buffer.from(`${h}.${c}`);
  const sig = Buffer.from(s, 'base64url');
  if (alg.startsWith('ES')) return verify(hash, data, { key, dsaEncoding: 'ieee-p1363' }, sig);
  if (alg.startsWith('PS')) return verify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, sig);
  return verify(hash, data, key, sig);
}

const now = new Date('2026-12-01T10:00:00Z');

describe('buildClientAssertion', () => {
  const cases: [SigningAlgorithm, 'ec' | 'rsa', string][] = [
    ['ES256', 'ec', 'P-256'],
    ['ES384', 'ec', 'P-384'],
    ['ES512', 'ec', 'P-521'],
    ['RS256', 'rsa', ''],
    ['PS256', 'rsa', ''],
    ['RS512', 'rsa', ''],
  ];
  it.each(cases)('signs %s so the public key verifies it, with the claims RFC 7523 asks for', (alg, kind, curve) => {
    const { jwk, publicJwk } = jwkPair(kind, curve);
    const jwt = buildClientAssertion({
      key: importSigningKey(jwk, alg),
      kid: jwk.kid,
      algorithm: alg,
      clientId: 'client-1',
      issuer: 'iss-1',
      subject: 'sub-1',
      audience: 'https://auth.example.com/token',
      now,
    });
    const [h, c] = jwt.split('.');
    expect(decode(h)).toEqual({ alg, typ: 'JWT', kid: 'key-1' });
    const claims = decode(c);
    expect(claims).toMatchObject({
      iss: 'iss-1',
      sub: 'sub-1',
      aud: 'https://auth.example.com/token',
      iat: now.getTime() / 1000,
      exp: now.getTime() / 1000 + 300,
    });
    expect(typeof claims.jti).toBe('string');
    expect(verifies(jwt, publicJwk, alg)).toBe(true);
    // a signature over other claims does not verify: the check above could fail
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${jwt.split('.')[2]}`;
    expect(verifies(forged, publicJwk, alg)).toBe(false);
  });

  it('gives every assertion its own jti', () => {
    const { jwk } = jwkPair('ec');
    const input = { key: importSigningKey(jwk, 'ES256'), kid: 'k', algorithm: 'ES256' as const, clientId: 'c', issuer: 'i', subject: 's', audience: 'a', now };
    const jti = (jwt: string) => decode(jwt.split('.')[1]).jti;
    expect(jti(buildClientAssertion(input))).not.toBe(jti(buildClientAssertion(input)));
  });
});

describe('importSigningKey', () => {
  it('names the member that does not suit the algorithm', () => {
    const ec = jwkPair('ec').jwk;
    const rsa = jwkPair('rsa').jwk;
    expect(() => importSigningKey(ec, 'RS256', 'k')).toThrow('k.kty must be "RSA" for RS256');
    expect(() => importSigningKey(rsa, 'ES256', 'k')).toThrow('k.kty must be "EC" for ES256');
    expect(() => importSigningKey(ec, 'ES384', 'k')).toThrow('k.crv must be "P-384" for ES384');
    expect(() => importSigningKey({ ...ec, d: undefined }, 'ES256', 'k')).toThrow('k.d (the private key) is required');
    expect(() => importSigningKey({ ...ec, kid: '' }, 'ES256', 'k')).toThrow('k.kid is required');
    expect(() => importSigningKey({ ...rsa, qi: undefined }, 'RS256', 'k')).toThrow('k.qi is required for RSA keys');
  });

  it('refuses a private part that is not the public key’s', () => {
    const a = jwkPair('ec').jwk;
    const b = jwkPair('ec').jwk;
    expect(() => importSigningKey({ ...a, d: b.d }, 'ES256', 'k')).toThrow('k public members do not belong to its private key');
  });
});
