import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number): string {
  let out = '';
  while (out.length < length) {
    // rejection sampling keeps every character equally likely
    for (const b of randomBytes(length * 2)) if (b < 248 && out.length < length) out += ALPHABET[b % 62];
  }
  return out;
}

export interface GeneratedPortalToken {
  token: string;
  maskId: string;
  salt: string;
  hash: string;
}

/** Convoy's portal token shape, `PRT.<mask>.<secret>`; only the mask and a salted hash are stored. */
export function generatePortalToken(): GeneratedPortalToken {
  const maskId = randomString(16);
  const secret = randomString(48);
  const salt = randomBytes(16).toString('hex');
  return { token: `PRT.${maskId}.${secret}`, maskId, salt, hash: hashPortalSecret(secret, salt) };
}

export function hashPortalSecret(secret: string, salt: string): string {
  return createHash('sha256').update(salt).update(':').update(secret).digest('hex');
}

export function parsePortalToken(token: string): { maskId: string; secret: string } | undefined {
  const m = /^PRT\.([A-Za-z0-9]{8,64})\.([A-Za-z0-9]{16,128})$/.exec(token);
  return m ? { maskId: m[1], secret: m[2] } : undefined;
}
