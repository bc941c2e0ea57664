import { parseGoDuration } from './env.schema';
import { assertNodeVersion, ConfigValidationError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(5005);
    expect(c.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/caravan');
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.egressAllow).toEqual([]);
    expect(c.adminKey).toBeUndefined();
  });

  it('reports every bad variable together', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', WORKER_CONCURRENCY: '0', CARAVAN_ENCRYPTION_KEY: 'short', EGRESS_CREDENTIALS: 'nopassword' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigValidationError);
    const names = (err as ConfigValidationError).problems.map((p) => p.split(':')[0]);
    expect(names).toEqual(expect.arrayContaining(['PORT', 'DATABASE_URL', 'WORKER_CONCURRENCY', 'CARAVAN_ENCRYPTION_KEY', 'EGRESS_CREDENTIALS']));
  });

  it('never allows the metadata range', () => {
    expect(() => loadConfig({ EGRESS_ALLOW: '169.254.169.254:80' })).toThrow(ConfigValidationError);
    expect(() => loadConfig({ EGRESS_ALLOW: '169.254.0.0/16' })).toThrow(ConfigValidationError);
    expect(loadConfig({ EGRESS_ALLOW: '127.0.0.1:9000, 10.1.0.0/16' }).egressAllow).toEqual(['127.0.0.1:9000', '10.1.0.0/16']);
  });

  it('parses keys and credentials', () => {
    const c = loadConfig({ CARAVAN_ENCRYPTION_KEY: 'ab'.repeat(32), EGRESS_CREDENTIALS: 'u:p:w' });
    expect(c.encryptionKey?.length).toBe(32);
    expect(c.egressCredentials).toEqual({ user: 'u', password: 'p:w' });
  });

  it('refuses an old Node with a clear message', () => {
    expect(() => assertNodeVersion('20.20.2')).toThrow(/Node.js 22 or newer/);
    expect(() => assertNodeVersion('24.21.0')).not.toThrow();
  });

  it('reads Go durations as Convoy does, 0 and off as disabled', () => {
    expect(parseGoDuration('720h')).toBe(720 * 3_600_000);
    expect(parseGoDuration('1h30m')).toBe(5_400_000);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('off')).toBe(0);
    expect(parseGoDuration('30')).toBeUndefined();
    expect(parseGoDuration('3d')).toBeUndefined();
    expect(loadConfig({}).retentionPolicy).toBe(720 * 3_600_000);
    expect(() => loadConfig({ RETENTION_POLICY: 'forever' })).toThrow(/RETENTION_POLICY/);
  });
});
