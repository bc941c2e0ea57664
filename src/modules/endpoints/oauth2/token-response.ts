import { headerValueProblem } from '../../../common/http/json-guard';

export const EXPIRY_TIME_UNITS = ['seconds', 'milliseconds', 'minutes', 'hours'] as const;
export type ExpiryTimeUnit = (typeof EXPIRY_TIME_UNITS)[number];

/** Names of the members of a non-standard token answer (Convoy's `field_mapping`). */
export interface TokenFieldMapping {
  access_token?: string;
  token_type?: string;
  expires_in?: string;
}

export interface IssuedToken {
  accessToken: string;
  tokenType: string;
  /** how long the token is good for, from when it was issued */
  lifetimeMs: number;
}

/** Used when the answer says nothing about expiry (Convoy's default too). */
export const DEFAULT_TOKEN_LIFETIME_MS = 3_600_000;
/** Never keep a token longer than this, whatever the server says; a 401 refreshes earlier. */
export const MAX_TOKEN_LIFETIME_MS = 3_600_000;
/** A token is refreshed this long before it expires: a tenth of its life, at most a minute. */
const MAX_REFRESH_MARGIN_MS = 60_000;
/** Past this many seconds the value is a point in time (epoch), not a duration. */
const EPOCH_THRESHOLD_SECONDS = 1_000_000_000;

const UNIT_SECONDS: Record<ExpiryTimeUnit, number> = { seconds: 1, milliseconds: 0.001, minutes: 60, hours: 3600 };

/** A token endpoint's answer could not be used; the message is for the attempt's error. */
export class TokenResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenResponseError';
  }
}

/**
 * Milliseconds until expiry from the answer's expiry member, read in `unit` (seconds by
 * default). A number large enough to be a Unix time in that unit, or an RFC 3339 date, is
 * taken as the moment of expiry, which is how answers with an `expiresAt` member mean it.
 * Undefined when the value says nothing usable.
 */
export function lifetimeMsOf(value: unknown, unit: ExpiryTimeUnit | '' | undefined, nowMs: number): number | undefined {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    if (Number.isFinite(parsed)) n = parsed;
    else {
      const at = Date.parse(value);
      return Number.isFinite(at) ? at - nowMs : undefined;
    }
  }
  if (n === undefined || !Number.isFinite(n) || n <= 0) return undefined;
  const seconds = n * UNIT_SECONDS[unit || 'seconds'];
  if (seconds >= EPOCH_THRESHOLD_SECONDS) return seconds * 1000 - nowMs;
  return seconds * 1000;
}

/** Reads the token, its type and its lifetime from the parsed JSON answer of a token endpoint. */
export function readTokenResponse(
  body: unknown,
  mapping: TokenFieldMapping | null | undefined,
  unit: ExpiryTimeUnit | '' | undefined,
  nowMs: number,
): IssuedToken {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new TokenResponseError('the token endpoint did not answer a JSON object');
  const answer = body as Record<string, unknown>;
  const tokenField = mapping?.access_token || 'access_token';
  const typeField = mapping?.token_type || 'token_type';
  const expiryField = mapping?.expires_in || 'expires_in';
  const token = Object.hasOwn(answer, tokenField) ? answer[tokenField] : undefined;
  if (typeof token !== 'string' || token === '') throw new TokenResponseError(`the token endpoint's answer has no "${tokenField}"`);
  if (headerValueProblem(token)) throw new TokenResponseError(`the token endpoint's "${tokenField}" cannot be sent in a header`);
  const rawType = Object.hasOwn(answer, typeField) ? answer[typeField] : undefined;
  // RFC 6749 token types are case-insensitive; some receivers only take the canonical "Bearer"
  let tokenType = typeof rawType === 'string' && rawType !== '' ? rawType : 'Bearer';
  if (tokenType.toLowerCase() === 'bearer') tokenType = 'Bearer';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(tokenType)) throw new TokenResponseError(`the token endpoint's "${typeField}" is not a token type`);
  const lifetime = lifetimeMsOf(Object.hasOwn(answer, expiryField) ? answer[expiryField] : undefined, unit, nowMs);
  const lifetimeMs = lifetime === undefined ? DEFAULT_TOKEN_LIFETIME_MS : Math.min(Math.max(0, lifetime), MAX_TOKEN_LIFETIME_MS);
  return { accessToken: token, tokenType, lifetimeMs };
}

/** When a token issued at `issuedAtMs` should be replaced: shortly before it expires. */
export function refreshAtMs(issuedAtMs: number, lifetimeMs: number): number {
  return issuedAtMs + lifetimeMs - Math.min(lifetimeMs / 10, MAX_REFRESH_MARGIN_MS);
}
