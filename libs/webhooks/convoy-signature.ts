import { createHmac, randomInt } from 'node:crypto';

export type ConvoyHash = 'SHA256' | 'SHA512';
export type ConvoyEncoding = 'hex' | 'base64';

/** One entry of a project's `signature.versions`; its position N (1-based) names the `vN=` field. */
export interface ConvoySignatureVersion {
  hash: ConvoyHash;
  encoding: ConvoyEncoding;
}

export interface ConvoySignInput {
  /** The exact body bytes that will be sent; the receiver signs what it receives, not a re-serialisation. */
  payload: string | Uint8Array;
  /** Active secrets, oldest first (rotation appends the new one). */
  secrets: readonly string[];
  hash: ConvoyHash;
  encoding: ConvoyEncoding;
  advanced: boolean;
  /** Unix seconds. */
  timestamp: number;
}

export interface ConvoyVersionedSignInput extends Omit<ConvoySignInput, 'hash' | 'encoding'> {
  versions: readonly ConvoySignatureVersion[];
}

const HMAC_ALGORITHM: Record<ConvoyHash, string> = { SHA256: 'sha256', SHA512: 'sha512' };

/**
 * The value of Convoy's signature header (`X-Convoy-Signature` unless the project renames it).
 *
 * Simple: the bare HMAC of the body. Convoy puts only one signature there, made with the
 * newest secret, so during a rotation a receiver on the old secret fails until it updates;
 * that is Convoy's behaviour and receivers written for it expect a single value.
 * Advanced: `t=<unix>,v1=<sig>[,v1=<sig>...]`, each HMAC over `<unix>,<body>`, one per active secret.
 */
export function signConvoy(input: ConvoySignInput): string {
  return signConvoyVersions({ ...input, versions: [{ hash: input.hash, encoding: input.encoding }] });
}

/**
 * The general form behind {@link signConvoy}: a project may list several signature versions, and
 * the advanced header then carries `v1=…` for the first, `v2=…` for the second, each once per
 * secret. Simple mode uses the last version, as Convoy does.
 */
export function signConvoyVersions(input: ConvoyVersionedSignInput): string {
  const { versions, secrets, timestamp, advanced } = input;
  if (versions.length === 0) throw new RangeError('at least one signature version is required');
  for (const v of versions) assertVersion(v);
  assertSecrets(secrets);
  const body = toBytes(input.payload);

  if (!advanced) {
    const last = versions[versions.length - 1];
    return hmac(last, secrets[secrets.length - 1], body);
  }

  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('timestamp must be a non-negative integer of unix seconds');
  const t = String(timestamp);
  const signed = Buffer.concat([Buffer.from(`${t},`, 'utf8'), body]);
  const parts = [`t=${t}`];
  versions.forEach((version, index) => {
    for (const secret of secrets) parts.push(`v${index + 1}=${hmac(version, secret, signed)}`);
  });
  return parts.join(',');
}

const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A new endpoint secret: 32 alphanumerics (~190 bits), safe to paste into env files and headers. */
export function generateConvoySecret(length = 32): string {
  if (!Number.isInteger(length) || length < 16 || length > 256) throw new RangeError('secret length must be an integer in 16..256');
  let out = '';
  for (let i = 0; i < length; i++) out += SECRET_ALPHABET[randomInt(SECRET_ALPHABET.length)];
  return out;
}

function hmac(version: ConvoySignatureVersion, secret: string, data: Buffer): string {
  return createHmac(HMAC_ALGORITHM[version.hash], secret).update(data).digest(version.encoding);
}

function assertVersion(v: ConvoySignatureVersion): void {
  if (!(v.hash in HMAC_ALGORITHM)) throw new RangeError(`unsupported hash ${String(v.hash)}`);
  if (v.encoding !== 'hex' && v.encoding !== 'base64') throw new RangeError(`unsupported encoding ${String(v.encoding)}`);
}

function assertSecrets(secrets: readonly string[]): void {
  if (secrets.length === 0) throw new RangeError('at least one secret is required');
  if (secrets.some((s) => typeof s !== 'string' || s.length === 0)) throw new RangeError('secrets must be non-empty strings');
}

function toBytes(payload: string | Uint8Array): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}
