import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How an incoming webhook proves it comes from its sender. Every check runs on the raw
 * bytes as received (before any parsing) and compares in constant time. Pure: the
 * caller opens the sealed secrets and keeps the replay record.
 */
export type SourceProvider = 'github' | 'shopify' | 'twitter';
export type HmacHash = 'SHA256' | 'SHA512';
export type HmacEncoding = 'hex' | 'base64';

export const DEFAULT_TOLERANCE_SECONDS = 300;

export type VerifierConfig =
  | { type: 'noop' }
  | { type: 'hmac'; hmac: { header: string; hash: HmacHash; encoding: HmacEncoding; secret: string } }
  | { type: 'basic_auth'; basic_auth: { username: string; password: string } }
  | { type: 'api_key'; api_key: { header_name: string; header_value: string } }
  | { type: 'standard_webhooks'; standard_webhooks: { secret: string; tolerance: number } }
  | { type: 'timestamped_hmac'; timestamped_hmac: { header: string; hash: HmacHash; secret: string; tolerance: number } };

export type VerifierType = VerifierConfig['type'];

/** Verifiers whose signature covers only the body: request headers and query are not signed. */
export function signsPayload(provider: SourceProvider | '' | null, type: VerifierType): boolean {
  return !!provider || type === 'hmac' || type === 'standard_webhooks' || type === 'timestamped_hmac';
}

export interface InboundRequest {
  rawBody: Buffer;
  /** as node:http gives them: lower-case names */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export type Verification =
  | {
      ok: true;
      /** a timestamped signature: its digest, kept for `ttlSeconds` so a repeat can be refused */
      replay?: { fingerprint: string; ttlSeconds: number };
    }
  | { ok: false; reason: string };

const MAX_HEADER_LENGTH = 8192;
const MAX_SIGNATURES = 32;
const UNIX_SECONDS = /^\d{1,12}$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const ALGORITHM: Record<HmacHash, string> = { SHA256: 'sha256', SHA512: 'sha512' };

/** The provider presets: fixed header, hash and encoding; only the secret is the user's. */
const PROVIDERS: Record<SourceProvider, { header: string; prefix: string; encoding: HmacEncoding }> = {
  github: { header: 'x-hub-signature-256', prefix: 'sha256=', encoding: 'hex' },
  shopify: { header: 'x-shopify-hmac-sha256', prefix: '', encoding: 'base64' },
  twitter: { header: 'x-twitter-webhooks-signature', prefix: 'sha256=', encoding: 'base64' },
};

export function verifyRequest(provider: SourceProvider | '' | null, config: VerifierConfig, req: InboundRequest, now: Date = new Date()): Verification {
  if (provider) {
    const p = PROVIDERS[provider];
    const secret = config.type === 'hmac' ? config.hmac.secret : '';
    if (!secret) return fail('the source has no secret');
    return verifyHmac(req, { header: p.header, prefix: p.prefix, hash: 'SHA256', encoding: p.encoding, secret });
  }
  switch (config.type) {
    case 'noop':
      return { ok: true };
    case 'hmac':
      return verifyHmac(req, { ...config.hmac, prefix: '' });
    case 'basic_auth':
      return verifyBasicAuth(req, config.basic_auth.username, config.basic_auth.password);
    case 'api_key': {
      const sent = header(req, config.api_key.header_name);
      if (sent === undefined || sent.trim() === '') return fail(`missing ${config.api_key.header_name} header`);
      return equalText(sent, config.api_key.header_value) ? { ok: true } : fail('wrong API key');
    }
    case 'standard_webhooks':
      return verifyStandardWebhooks(req, config.standard_webhooks.secret, config.standard_webhooks.tolerance, now);
    case 'timestamped_hmac':
      return verifyTimestampedHmac(req, config.timestamped_hmac, now);
  }
}

function verifyHmac(req: InboundRequest, o: { header: string; prefix: string; hash: HmacHash; encoding: HmacEncoding; secret: string }): Verification {
  const value = header(req, o.header)?.trim();
  if (!value) return fail(`missing ${o.header} header`);
  if (value.length > MAX_HEADER_LENGTH || !value.startsWith(o.prefix)) return fail('malformed signature');
  const sent = decode(value.slice(o.prefix.length), o.encoding);
  if (!sent) return fail('malformed signature');
  const expected = createHmac(ALGORITHM[o.hash], o.secret).update(req.rawBody).digest();
  return equalBytes(sent, expected) ? { ok: true } : fail('signature does not match');
}

function verifyBasicAuth(req: InboundRequest, username: string, password: string): Verification {
  const value = header(req, 'authorization');
  const m = value ? /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value) : null;
  if (!m) return fail('missing basic credentials');
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return fail('malformed basic credentials');
  // both halves are always compared, so the time does not tell which one was wrong
  const userOk = equalText(decoded.slice(0, colon), username);
  const passOk = equalText(decoded.slice(colon + 1), password);
  return userOk && passOk ? { ok: true } : fail('wrong credentials');
}

/** Standard Webhooks: HMAC-SHA256 of `id.timestamp.body` with the base64 key after `whsec_`, `v1,<base64>` entries. */
function verifyStandardWebhooks(req: InboundRequest, secret: string, tolerance: number, now: Date): Verification {
  const id = header(req, 'webhook-id');
  const timestamp = header(req, 'webhook-timestamp');
  const signature = header(req, 'webhook-signature');
  if (!id || !timestamp || !signature) return fail('missing webhook-id, webhook-timestamp or webhook-signature');
  if (id.length > MAX_HEADER_LENGTH || signature.length > MAX_HEADER_LENGTH || !UNIX_SECONDS.test(timestamp)) return fail('malformed signature headers');
  if (!withinTolerance(Number(timestamp), tolerance, now)) return fail('timestamp outside the tolerance');
  const sent: Buffer[] = [];
  for (const entry of signature.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
    const d = decode(entry.slice(comma + 1), 'base64');
    if (d) sent.push(d);
    if (sent.length > MAX_SIGNATURES) return fail('too many signatures');
  }
  if (sent.length === 0) return fail('no v1 signature');
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  const expected = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), req.rawBody]))
    .digest();
  if (!anyEqual(sent, expected)) return fail('signature does not match');
  return { ok: true, replay: { fingerprint: fingerprint(expected), ttlSeconds: 2 * tolerance + 1 } };
}

/** Stripe's scheme: `t=<unix>,v1=<hex>[,v1=…]`, HMAC of `t.body`. */
function verifyTimestampedHmac(req: InboundRequest, o: { header: string; hash: HmacHash; secret: string; tolerance: number }, now: Date): Verification {
  const value = header(req, o.header);
  if (!value) return fail(`missing ${o.header} header`);
  if (value.length > MAX_HEADER_LENGTH) return fail('malformed signature');
  let t: string | undefined;
  const sent: Buffer[] = [];
  for (const field of value.split(',')) {
    const eq = field.indexOf('=');
    if (eq <= 0) return fail('malformed signature');
    const k = field.slice(0, eq).trim();
    const v = field.slice(eq + 1).trim();
    if (k === 't') {
      if (t !== undefined) return fail('malformed signature');
      t = v;
    } else if (k === 'v1') {
      const d = decode(v, 'hex');
      if (d) sent.push(d);
      if (sent.length > MAX_SIGNATURES) return fail('too many signatures');
    }
  }
  if (t === undefined || !UNIX_SECONDS.test(t) || sent.length === 0) return fail('malformed signature');
  if (!withinTolerance(Number(t), o.tolerance, now)) return fail('timestamp outside the tolerance');
  const expected = createHmac(ALGORITHM[o.hash], o.secret)
    .update(Buffer.concat([Buffer.from(`${t}.`, 'utf8'), req.rawBody]))
    .digest();
  if (!anyEqual(sent, expected)) return fail('signature does not match');
  return { ok: true, replay: { fingerprint: fingerprint(expected), ttlSeconds: 2 * o.tolerance + 1 } };
}

/** Twitter's CRC answer: `sha256=` + base64 HMAC-SHA256 of the `crc_token` with the consumer secret. */
export function twitterCrcResponse(secret: string, crcToken: string): string {
  return `sha256=${createHmac('sha256', secret).update(crcToken, 'utf8').digest('base64')}`;
}

function header(req: InboundRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  if (Array.isArray(v)) return v.length === 1 ? v[0] : v.join(' ');
  return v;
}

function decode(value: string, encoding: HmacEncoding): Buffer | undefined {
  if (encoding === 'hex') return HEX.test(value) ? Buffer.from(value, 'hex') : undefined;
  return value.length > 0 && BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

function equalBytes(a: Buffer, b: Buffer): boolean {
  // digest lengths are public (they follow from the hash), so the length test leaks nothing
  return a.length === b.length && timingSafeEqual(a, b);
}

function anyEqual(sent: readonly Buffer[], expected: Buffer): boolean {
  let found = false;
  for (const s of sent) if (equalBytes(s, expected)) found = true;
  return found;
}

/** Secrets of any length compared in constant time: both sides are hashed to one length first. */
function equalText(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

function withinTolerance(timestamp: number, tolerance: number, now: Date): boolean {
  return Math.abs(Math.floor(now.getTime() / 1000) - timestamp) <= tolerance;
}

function fingerprint(digest: Buffer): string {
  return digest.toString('base64url');
}

function fail(reason: string): Verification {
  return { ok: false, reason };
}
