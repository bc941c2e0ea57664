import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // rejection sampling keeps every character equally likely
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i];
    if (b < 248) out += ALPHABET[b % 62];
  }
  return out.length === length ? out : out + randomString(length - out.length);
}

export interface GeneratedKey {
  key: string;
  maskId: string;
  salt: string;
  hash: string;
}

/** Convoy's key shape: `CO.<mask>.<secret>`. Only the mask and a salted hash are stored. */
export function generateApiKey(): GeneratedKey {
  const maskId = randomString(16);
  const secret = randomString(48);
  const salt = randomBytes(16).toString('hex');
  return { key: `CO.${maskId}.${secret}`, maskId, salt, hash: hashSecret(secret, salt) };
}

export function hashSecret(secret: string, salt: string): string {
  return createHash('sha256').update(salt).update(':').update(secret).digest('hex');
}

export function parseApiKey(token: string): { maskId: string; secret: string } | undefined {
  const m = /^CO\.([A-Za-z0-9]{8,64})\.([A-Za-z0-9]{16,128})$/.exec(token);
  return m ? { maskId: m[1], secret: m[2] } : undefined;
}
