import Redis from 'ioredis';
import { deleteRedisPrefix, TEST_REDIS_URL, testConfig, testRedisPrefix } from '../../libs/testing';
import { blockSize, RequestRateLimiter } from '../../src/modules/auth/request-rate-limiter';

/** Waits for the start of a second, so a burst fits in one rate window. */
async function startOfSecond(): Promise<number> {
  for (;;) {
    const ms = Date.now() % 1000;
    if (ms < 30) return Math.floor(Date.now() / 1000);
    await new Promise((r) => setTimeout(r, Math.max(1, 1000 - ms)));
  }
}

/**
 * The per-key and per-project request limits against the real Redis, with two limiters
 * standing for two pods: together they never let more than the limit through in a second,
 * and spending blocks locally leaves little of it unused.
 */
describe('RequestRateLimiter (integration)', () => {
  const prefix = testRedisPrefix('rl');
  const clients: Redis[] = [];
  const pod = (apiRateLimit: number, ingestRateLimit: number): { limiter: RequestRateLimiter; calls: () => number } => {
    const redis = new Redis(TEST_REDIS_URL, { keyPrefix: `${prefix}:`, enableAutoPipelining: true });
    clients.push(redis);
    let n = 0;
    const evalsha = redis.evalsha.bind(redis);
    redis.evalsha = ((...a: Parameters<typeof evalsha>) => {
      n++;
      return evalsha(...a);
    }) as typeof redis.evalsha;
    return { limiter: new RequestRateLimiter(testConfig({ apiRateLimit, ingestRateLimit }), redis), calls: () => n };
  };
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await deleteRedisPrefix(prefix);
  });

  it('lets at most the limit through across two pods in a burst, and nearly all of it', async () => {
    const [a, b] = [pod(0, 500), pod(0, 500)];
    const principal = { kind: 'project' as const, projectId: `p-${Date.now()}`, keyId: 'k1' };
    for (let attempt = 0; attempt < 3; attempt++) {
      const second = await startOfSecond();
      const verdicts = await Promise.all(Array.from({ length: 800 }, (_, i) => (i % 2 ? a : b).limiter.check(principal, true)));
      if (Math.floor(Date.now() / 1000) !== second) continue; // the burst crossed into the next second: try again
      const allowed = verdicts.filter((v) => v.allowed).length;
      expect(allowed).toBeLessThanOrEqual(500);
      // a pod may leave at most one block (500 / 50 = 10) untaken
      expect(allowed).toBeGreaterThanOrEqual(480);
      expect(verdicts.find((v) => !v.allowed)).toEqual({ allowed: false, retryAfter: 1, limit: 'ingest' });
      return;
    }
    throw new Error('no burst fitted in one second');
  });

  it('takes blocks instead of one count per request at a steady rate', async () => {
    const p = pod(100_000, 100_000);
    const principal = { kind: 'project' as const, projectId: `p-${Date.now()}`, keyId: 'k2' };
    // about 300 requests a second, a few at a time, for two seconds; the second one is counted
    const run = async (ms: number): Promise<number> => {
      const end = Date.now() + ms;
      let sent = 0;
      while (Date.now() < end) {
        expect((await p.limiter.check(principal, true)).allowed).toBe(true);
        if (++sent % 3 === 0) await new Promise((r) => setTimeout(r, 10));
      }
      return sent;
    };
    await startOfSecond();
    await run(1000);
    const before = p.calls();
    const sent = await run(1000);
    expect(sent).toBeGreaterThan(100);
    // blocks of about a twentieth of the rate: a few dozen round trips, not one a request
    expect(p.calls() - before).toBeLessThan(sent / 5);
  });

  it('counts every request on its own under a small limit', async () => {
    expect(blockSize(10, 1000)).toBe(1);
    expect(blockSize(2000, 400)).toBe(20);
    expect(blockSize(2000, 0, 75)).toBe(75);
    expect(blockSize(2000, 100_000)).toBe(40);
    const p = pod(3, 0);
    const principal = { kind: 'project' as const, projectId: 'p3', keyId: `k-${Date.now()}` };
    await startOfSecond();
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push(await p.limiter.check(principal, false));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false, false]);
    expect(verdicts[3].limit).toBe('key');
  });

  it('never limits the instance admin key, and lets requests through while Redis is away', async () => {
    const p = pod(1, 1);
    for (let i = 0; i < 5; i++) expect((await p.limiter.check({ kind: 'instance', keyId: 'admin' }, true)).allowed).toBe(true);
    const away = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    clients.push(away);
    const down = new RequestRateLimiter(testConfig({ apiRateLimit: 1, ingestRateLimit: 1 }), away);
    expect((await down.check({ kind: 'project', projectId: 'p', keyId: 'k' }, true)).allowed).toBe(true);
  });
});
