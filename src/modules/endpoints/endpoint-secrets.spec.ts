import { countLiveSecrets, generateSecret, isLiveSecret, liveSecretsNewestFirst, rotateSecrets, secretProblem, StoredSecret } from './endpoint-secrets';

const sealed = { kid: 'k', iv: 'i', tag: 't', ct: 'c' };

function secret(uid: string, createdAt: string, expiresAt: string | null = null, deletedAt: string | null = null): StoredSecret {
  return { uid, value: sealed, created_at: createdAt, updated_at: createdAt, expires_at: expiresAt, deleted_at: deletedAt };
}

describe('endpoint secrets', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');

  it('generates Standard Webhooks secrets that pass their own check', () => {
    const s = generateSecret('standard');
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(secretProblem('standard', s)).toBeUndefined();
  });

  it('generates long random Convoy secrets', () => {
    const a = generateSecret('convoy');
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(a).not.toEqual(generateSecret('convoy'));
  });

  it('refuses Standard Webhooks secrets that are not base64 of 24-64 bytes', () => {
    expect(secretProblem('standard', 'not base64!')).toMatch(/base64/);
    expect(secretProblem('standard', `whsec_${Buffer.alloc(8).toString('base64')}`)).toMatch(/24-64 bytes/);
    expect(secretProblem('standard', Buffer.alloc(32, 1).toString('base64'))).toBeUndefined();
    expect(secretProblem('convoy', 'anything goes')).toBeUndefined();
    expect(secretProblem('convoy', 'bad\nsecret')).toMatch(/control/);
  });

  it('treats expired and deleted secrets as not signing', () => {
    expect(isLiveSecret(secret('a', '2025-01-01T00:00:00Z'), now)).toBe(true);
    expect(isLiveSecret(secret('a', '2025-01-01T00:00:00Z', '2026-01-01T00:00:01Z'), now)).toBe(true);
    expect(isLiveSecret(secret('a', '2025-01-01T00:00:00Z', now.toISOString()), now)).toBe(false);
    expect(isLiveSecret(secret('a', '2025-01-01T00:00:00Z', null, '2025-06-01T00:00:00Z'), now)).toBe(false);
  });

  it('orders live secrets newest first', () => {
    const list = [
      secret('1', '2025-01-01T00:00:00.000Z'),
      secret('3', '2025-03-01T00:00:00.000Z'),
      secret('2', '2025-02-01T00:00:00.000Z', '2025-12-01T00:00:00.000Z'),
    ];
    expect(liveSecretsNewestFirst(list, now).map((s) => s.uid)).toEqual(['3', '1']);
  });

  it('keeps the current secret signing until the expiration, then only the new one', () => {
    const current = secret('old', '2025-01-01T00:00:00.000Z');
    const next = secret('new', now.toISOString());
    const rolled = rotateSecrets([current], next, now, 3600);
    expect(rolled.find((s) => s.uid === 'old')?.expires_at).toBe('2026-01-01T01:00:00.000Z');
    expect(liveSecretsNewestFirst(rolled, now).map((s) => s.uid)).toEqual(['new', 'old']);
    expect(liveSecretsNewestFirst(rolled, new Date('2026-01-01T01:00:00.000Z')).map((s) => s.uid)).toEqual(['new']);
  });

  it('expires the current secret at once with expiration 0', () => {
    const rolled = rotateSecrets([secret('old', '2025-01-01T00:00:00.000Z')], secret('new', now.toISOString()), now, 0);
    expect(countLiveSecrets(rolled, now)).toBe(1);
    expect(liveSecretsNewestFirst(rolled, now)[0].uid).toBe('new');
  });

  it('leaves secrets already counting down with their own expiry', () => {
    const pending = secret('pending', '2025-01-01T00:00:00.000Z', '2026-01-01T00:10:00.000Z');
    const current = secret('current', '2025-06-01T00:00:00.000Z');
    const rolled = rotateSecrets([pending, current], secret('new', now.toISOString()), now, 86_400);
    expect(rolled.find((s) => s.uid === 'pending')?.expires_at).toBe('2026-01-01T00:10:00.000Z');
    expect(rolled.find((s) => s.uid === 'current')?.expires_at).toBe('2026-01-02T00:00:00.000Z');
  });
});
