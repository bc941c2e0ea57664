import { randomBytes } from 'node:crypto';
import type { SealedSecret } from '../../common/crypto/secret-box';

/** One signing secret as stored in `endpoints.secrets`: the value is sealed at rest. */
export interface StoredSecret {
  uid: string;
  value: SealedSecret;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  deleted_at: string | null;
}

export type SignatureScheme = 'convoy' | 'standard';

/** A rotation may keep the old secret signing for at most this long. */
export const MAX_SECRET_EXPIRATION_SECONDS = 30 * 24 * 3600;

/**
 * Rotations add secrets and the clean-up job removes expired ones later; a cap keeps a
 * client looping on expire_secret from making every delivery carry dozens of signatures.
 */
export const MAX_LIVE_SECRETS = 10;

const WHSEC_PREFIX = 'whsec_';

/** Standard Webhooks secrets are base64 of 24-64 random bytes; Convoy's are opaque strings. */
export function generateSecret(scheme: SignatureScheme): string {
  if (scheme === 'standard') return `${WHSEC_PREFIX}${randomBytes(24).toString('base64')}`;
  return randomBytes(32).toString('base64url');
}

/** Why a caller-supplied secret cannot sign for this scheme, or undefined when it can. */
export function secretProblem(scheme: SignatureScheme, value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return 'secret must not contain control characters';
  if (scheme !== 'standard') return undefined;
  const body = value.startsWith(WHSEC_PREFIX) ? value.slice(WHSEC_PREFIX.length) : value;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) return 'a Standard Webhooks secret must be base64 (optionally prefixed with whsec_)';
  const bytes = Buffer.from(body, 'base64').length;
  if (bytes < 24 || bytes > 64) return 'a Standard Webhooks secret must decode to 24-64 bytes';
  return undefined;
}

export function isLiveSecret(s: StoredSecret, now: Date): boolean {
  if (s.deleted_at) return false;
  return s.expires_at === null || Date.parse(s.expires_at) > now.getTime();
}

/** Secrets that still sign, newest first (receivers check the first signature first). */
export function liveSecretsNewestFirst(secrets: readonly StoredSecret[], now: Date): StoredSecret[] {
  return secrets
    .filter((s) => isLiveSecret(s, now))
    .sort((a, b) => (a.created_at === b.created_at ? (a.uid < b.uid ? 1 : -1) : a.created_at < b.created_at ? 1 : -1));
}

/**
 * Rolls the secrets: every live secret without an expiry keeps signing until
 * now + expirationSeconds (0 = at once), and `next` becomes the current secret. Secrets
 * already counting down keep their own, earlier, expiry.
 */
export function rotateSecrets(secrets: readonly StoredSecret[], next: StoredSecret, now: Date, expirationSeconds: number): StoredSecret[] {
  const expiresAt = new Date(now.getTime() + expirationSeconds * 1000).toISOString();
  const stamp = now.toISOString();
  const rolled = secrets.map((s) => (isLiveSecret(s, now) && s.expires_at === null ? { ...s, expires_at: expiresAt, updated_at: stamp } : s));
  return [...rolled, next];
}

export function countLiveSecrets(secrets: readonly StoredSecret[], now: Date): number {
  return secrets.filter((s) => isLiveSecret(s, now)).length;
}
