/**
 * Signature checks for the RECEIVING side of Caravan (or Convoy) webhooks.
 *
 * This file imports nothing but node:crypto on purpose: a receiver can copy it into its own
 * code base as it is. Malformed, stale or unsigned requests verify as `false`; a call that is
 * itself wrong (unknown hash, negative tolerance, undecodable secret) throws, so that a
 * misconfigured receiver fails loudly instead of rejecting every webhook in silence.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureHash = 'SHA256' | 'SHA512';
export type SignatureEncoding = 'hex' | 'base64';

export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Headers as node:http gives them, or a Fetch API `Headers` object. */
export type HeaderSource = Readonly<Record<string, string | readonly string[] | undefined>> | { get(name: string): string | null };

export interface VerifyConvoyOptions {
  /** The raw body as received; parsing and re-serialising JSON changes the bytes. */
  payload: string | Uint8Array;
  /** The signature header's value (`X-Convoy-Signature` unless the project renamed it). */
  header: string | null | undefined;
  /** The endpoint secret; give old and new while a rotation is under way. */
  secret: string | readonly string[];
  hash: SignatureHash;
  encoding: SignatureEncoding;
  advanced: boolean;
  /** How far the advanced header's `t` may be from now, either way. Ignored by simple signatures, which carry no time. */
  toleranceSeconds?: number;
  now?: Date;
}

export interface VerifyStandardOptions {
  payload: string | Uint8Array;
  headers: HeaderSource;
  /** `whsec_…` secret(s); give old and new while a rotation is under way. */
  secret: string | readonly string[];
  toleranceSeconds?: number;
  now?: Date;
}

// Bounds on attacker-controlled header input, far above anything a sender emits.
const MAX_HEADER_LENGTH = 8192;
const MAX_SIGNATURES = 32;
const UNIX_SECONDS = /^\d{1,12}$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;
const ALGORITHMS: Record<SignatureHash, string> = { SHA256: 'sha256', SHA512: 'sha512' };

/** Convoy's simple (`<sig>`) or advanced (`t=…,v1=…[,v1=…]`) signature header. */
export function verifyConvoySignature(options: VerifyConvoyOptions): boolean {
  const { header, hash, encoding, advanced } = options;
  const algorithm = ALGORITHMS[hash];
  if (!algorithm) throw new TypeError(`unsupported hash ${String(hash)}`);
  if (encoding !== 'hex' && encoding !== 'base64') throw new TypeError(`unsupported encoding ${String(encoding)}`);
  const tolerance = toleranceOf(options.toleranceSeconds);
  const secrets = secretList(options.secret);
  const body = bytesOf(options.payload);

  if (typeof header !== 'string' || header.length === 0 || header.length > MAX_HEADER_LENGTH) return false;

  if (!advanced) {
    const provided = decodeSignature(header.trim(), encoding);
    if (!provided) return false;
    return anyEqual(
      [provided],
      secrets.map((s) => createHmac(algorithm, s).update(body).digest()),
    );
  }

  let timestamp: string | undefined;
  const provided: Buffer[] = [];
  for (const field of header.split(',')) {
    const eq = field.indexOf('=');
    if (eq <= 0) return false;
    const key = field.slice(0, eq).trim();
    const value = field.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined) return false;
      timestamp = value;
    } else if (/^v\d+$/.test(key)) {
      // a value that does not decode (e.g. another version's encoding) simply cannot match
      const decoded = decodeSignature(value, encoding);
      if (decoded) provided.push(decoded);
      if (provided.length > MAX_SIGNATURES) return false;
    }
  }
  if (timestamp === undefined || !UNIX_SECONDS.test(timestamp) || provided.length === 0) return false;
  if (!withinTolerance(Number(timestamp), tolerance, options.now)) return false;

  // the raw `t` text is what was signed; re-printing the number could drop leading zeros
  const signed = Buffer.concat([Buffer.from(`${timestamp},`, 'utf8'), body]);
  return anyEqual(
    provided,
    secrets.map((s) => createHmac(algorithm, s).update(signed).digest()),
  );
}

/** Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64>[ v1,<base64>…]`. */
export function verifyStandardWebhook(options: VerifyStandardOptions): boolean {
  const tolerance = toleranceOf(options.toleranceSeconds);
  const keys = secretList(options.secret).map(decodeStandardKey);
  const body = bytesOf(options.payload);

  const id = headerValue(options.headers, 'webhook-id');
  const timestamp = headerValue(options.headers, 'webhook-timestamp');
  const signature = headerValue(options.headers, 'webhook-signature');
  if (!id || !timestamp || !signature) return false;
  if (id.length > MAX_HEADER_LENGTH || signature.length > MAX_HEADER_LENGTH) return false;
  if (!UNIX_SECONDS.test(timestamp) || !withinTolerance(Number(timestamp), tolerance, options.now)) return false;

  const provided: Buffer[] = [];
  for (const entry of signature.split(' ')) {
    if (entry.length === 0) continue;
    const comma = entry.indexOf(',');
    // other versions (e.g. v1a, asymmetric) are not ours to check
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const decoded = decodeSignature(entry.slice(comma + 1), 'base64');
    if (decoded) provided.push(decoded);
    if (provided.length > MAX_SIGNATURES) return false;
  }
  if (provided.length === 0) return false;

  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), body]);
  return anyEqual(
    provided,
    keys.map((k) => createHmac('sha256', k).update(signed).digest()),
  );
}

/** True when any provided signature equals any expected one; every pair is compared in constant time. */
function anyEqual(provided: readonly Buffer[], expected: readonly Buffer[]): boolean {
  let found = false;
  for (const p of provided) {
    for (const e of expected) {
      // lengths are public (they follow from the hash), so an early length test leaks nothing
      if (p.length === e.length && timingSafeEqual(p, e)) found = true;
    }
  }
  return found;
}

function decodeSignature(value: string, encoding: SignatureEncoding): Buffer | undefined {
  if (encoding === 'hex') return HEX.test(value) ? Buffer.from(value, 'hex') : undefined;
  return value.length > 0 && BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

function decodeStandardKey(secret: string): Buffer {
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (encoded.length === 0 || !BASE64.test(encoded)) throw new TypeError('secret is not base64 (optionally prefixed with whsec_)');
  return Buffer.from(encoded, 'base64');
}

function withinTolerance(timestamp: number, toleranceSeconds: number, now: Date | undefined): boolean {
  const nowSeconds = Math.floor((now ?? new Date()).getTime() / 1000);
  return Number.isFinite(nowSeconds) && Math.abs(nowSeconds - timestamp) <= toleranceSeconds;
}

function toleranceOf(value: number | undefined): number {
  const tolerance = value ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new TypeError('toleranceSeconds must be a finite number >= 0');
  return tolerance;
}

function secretList(secret: string | readonly string[]): string[] {
  const list = typeof secret === 'string' ? [secret] : [...secret];
  if (list.length === 0 || list.some((s) => typeof s !== 'string' || s.length === 0))
    throw new TypeError('secret must be a non-empty string or a list of them');
  return list;
}

function bytesOf(payload: string | Uint8Array): Buffer {
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  if (payload instanceof Uint8Array) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  throw new TypeError('payload must be the raw body as a string or bytes');
}

function headerValue(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== name) continue;
    const value = record[key];
    if (typeof value === 'string') return value;
    // node:http keeps repeated unknown headers as a list; several signature headers are one set
    if (Array.isArray(value)) return name === 'webhook-signature' ? value.join(' ') : value.length === 1 ? (value[0] as string) : undefined;
  }
  return undefined;
}
