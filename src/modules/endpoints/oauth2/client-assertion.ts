import { constants, createPrivateKey, createPublicKey, JsonWebKey, KeyObject, randomUUID, sign, verify } from 'node:crypto';

/** The JWS algorithms a client assertion may be signed with (Convoy's list; ES256 by default). */
export const SIGNING_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
export const DEFAULT_SIGNING_ALGORITHM: SigningAlgorithm = 'ES256';

/** A private JWK as Convoy's `OAuth2SigningKey` carries it (EC or RSA). */
export interface SigningJwk {
  kty: string;
  kid: string;
  crv?: string;
  x?: string;
  y?: string;
  d?: string;
  n?: string;
  e?: string;
  p?: string;
  q?: string;
  dp?: string;
  dq?: string;
  qi?: string;
}

/** The members of a JWK that are safe to show: everything but the private parts. */
export const PUBLIC_JWK_MEMBERS = ['kty', 'kid', 'crv', 'x', 'y', 'n', 'e'] as const;

/** A signed assertion is good for this long (RFC 7523 wants a short life). */
export const ASSERTION_LIFETIME_SECONDS = 300;

const EC_CURVE: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

export function isSigningAlgorithm(v: string): v is SigningAlgorithm {
  return (SIGNING_ALGORITHMS as readonly string[]).includes(v);
}

function hashOf(alg: SigningAlgorithm): string {
  return `sha${alg.slice(2)}`;
}

/**
 * Imports the private key after checking that it suits the algorithm: EC on the matching
 * curve for ES*, RSA with its CRT members for RS and PS. Throws an Error whose message names
 * the member that is wrong, prefixed by `field`.
 */
export function importSigningKey(jwk: SigningJwk, alg: SigningAlgorithm, field = 'signing_key'): KeyObject {
  if (!jwk.kid) throw new Error(`${field}.kid is required`);
  if (!jwk.d) throw new Error(`${field}.d (the private key) is required`);
  if (alg.startsWith('ES')) {
    if (jwk.kty !== 'EC') throw new Error(`${field}.kty must be "EC" for ${alg}`);
    if (jwk.crv !== EC_CURVE[alg]) throw new Error(`${field}.crv must be "${EC_CURVE[alg]}" for ${alg}`);
    if (!jwk.x || !jwk.y) throw new Error(`${field}.x and ${field}.y are required for EC keys`);
  } else {
    if (jwk.kty !== 'RSA') throw new Error(`${field}.kty must be "RSA" for ${alg}`);
    for (const m of ['n', 'e', 'p', 'q', 'dp', 'dq', 'qi'] as const) if (!jwk[m]) throw new Error(`${field}.${m} is required for RSA keys`);
  }
  const members = Object.fromEntries(Object.entries(jwk).filter(([k, v]) => k !== 'kid' && typeof v === 'string' && v !== '')) as JsonWebKey;
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: members, format: 'jwk' });
  } catch (e) {
    throw new Error(`${field} is not a valid ${jwk.kty} private key (${(e as Error).message})`);
  }
  // a key object keeps the public members it was given; a signature made with the private
  // part and checked with those alone shows that they belong together
  const publicMembers = alg.startsWith('ES') ? { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } : { kty: 'RSA', n: jwk.n, e: jwk.e };
  const probe = Buffer.from('caravan key check');
  if (!verify('sha256', probe, createPublicKey({ key: publicMembers, format: 'jwk' }), sign('sha256', probe, key)))
    throw new Error(`${field} public members do not belong to its private key`);
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
    throw new Error(`${field} must be an RSA key of at least 2048 bits`);
  return key;
}

export interface AssertionInput {
  key: KeyObject;
  kid: string;
  algorithm: SigningAlgorithm;
  clientId: string;
  issuer: string;
  subject: string;
  /** the token endpoint's URL: the authorization server the assertion is meant for (RFC 7523 §3) */
  audience: string;
  now: Date;
  jti?: string;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** A JWT client assertion (RFC 7523): iss, sub, aud, iat, exp, jti, signed with the endpoint's key. */
export function buildClientAssertion(i: AssertionInput): string {
  const iat = Math.floor(i.now.getTime() / 1000);
  const header = { alg: i.algorithm, typ: 'JWT', kid: i.kid };
  const claims = {
    iss: i.issuer,
    sub: i.subject,
    aud: i.audience,
    iat,
    exp: iat + ASSERTION_LIFETIME_SECONDS,
    // unique per assertion so the server can refuse a replay
    jti: i.jti ?? `${i.clientId}-${randomUUID()}`,
  };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const hash = hashOf(i.algorithm);
  const signature = i.algorithm.startsWith('ES')
    ? sign(hash, Buffer.from(signingInput), { key: i.key, dsaEncoding: 'ieee-p1363' })
    : i.algorithm.startsWith('PS')
      ? sign(hash, Buffer.from(signingInput), { key: i.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST })
      : sign(hash, Buffer.from(signingInput), i.key);
  return `${signingInput}.${b64url(signature)}`;
}
