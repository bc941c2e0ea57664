import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks (standardwebhooks.com): symmetric `v1` signatures, HMAC-SHA256. */
export const STANDARD_SECRET_PREFIX = 'whsec_';
export const STANDARD_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

/** The spec asks for keys of 24 to 64 bytes. */
export const STANDARD_SECRET_MIN_BYTES = 24;
export const STANDARD_SECRET_MAX_BYTES = 64;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const HEADER_UNSAFE = /[\r\n\0]/;

export interface StandardSignInput {
  /** The message id; identical on every attempt of one delivery so receivers can dedupe. */
  id: string;
  /** Unix seconds. */
  timestamp: number;
  /** The exact body bytes that will be sent. */
  payload: string | Uint8Array;
  /** Active `whsec_` secrets; one signature each, so receivers on either side of a rotation verify. */
  secrets: readonly string[];
}

// a type alias, not an interface, so it also fits where a plain header record is expected
export type StandardWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** `whsec_` + base64 of fresh random bytes (32 by default, the HMAC-SHA256 block-friendly size). */
export function generateStandardSecret(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < STANDARD_SECRET_MIN_BYTES || bytes > STANDARD_SECRET_MAX_BYTES) {
    throw new RangeError(`secret size must be an integer in ${STANDARD_SECRET_MIN_BYTES}..${STANDARD_SECRET_MAX_BYTES} bytes`);
  }
  return STANDARD_SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** The HMAC key inside a secret; the `whsec_` prefix is optional, as in the reference libraries. */
export function decodeStandardSecret(secret: string): Buffer {
  const encoded = secret.startsWith(STANDARD_SECRET_PREFIX) ? secret.slice(STANDARD_SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || !BASE64.test(encoded)) throw new RangeError('secret is not base64 (optionally prefixed with whsec_)');
  return Buffer.from(encoded, 'base64');
}

/** Write-time check for a secret a user brings: well-formed and of the size the spec asks for. */
export function isValidStandardSecret(secret: string): boolean {
  try {
    const key = decodeStandardSecret(secret);
    return key.length >= STANDARD_SECRET_MIN_BYTES && key.length <= STANDARD_SECRET_MAX_BYTES;
  } catch {
    return false;
  }
}

/** The `webhook-signature` value: `v1,<base64>` per secret, space-separated. */
export function signStandard(input: StandardSignInput): string {
  const { id, timestamp, secrets } = input;
  if (typeof id !== 'string' || id.length === 0 || HEADER_UNSAFE.test(id)) throw new RangeError('id must be a non-empty header-safe string');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('timestamp must be a non-negative integer of unix seconds');
  if (secrets.length === 0) throw new RangeError('at least one secret is required');
  const keys = secrets.map(decodeStandardSecret);
  const body = typeof input.payload === 'string' ? Buffer.from(input.payload, 'utf8') : Buffer.from(input.payload);
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
  return keys.map((key) => `v1,${createHmac('sha256', key).update(signed).digest('base64')}`).join(' ');
}

/** All three headers of one Standard Webhooks request. */
export function standardWebhookHeaders(input: StandardSignInput): StandardWebhookHeaders {
  return {
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestamp),
    'webhook-signature': signStandard(input),
  };
}
