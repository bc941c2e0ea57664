import { ReadCache } from './read-cache';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ReadCache', () => {
  it('shares one read between the callers of an expired key', async () => {
    const cache = new ReadCache<string>(1_000);
    let reads = 0;
    const d = deferred<string>();
    const load = (): Promise<string> => {
      reads++;
      return d.promise;
    };
    const all = Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    d.resolve('v');
    expect(await all).toEqual(['v', 'v', 'v']);
    expect(await cache.get('k', load)).toBe('v');
    expect(reads).toBe(1);
  });

  it('does not let a read in flight refill a key deleted meanwhile', async () => {
    const cache = new ReadCache<string>(60_000);
    const old = deferred<string>();
    const first = cache.get('k', () => old.promise);
    cache.delete('k');
    old.resolve('revoked');
    expect(await first).toBe('revoked');
    expect(await cache.get('k', () => Promise.resolve('fresh'))).toBe('fresh');
  });

  it('drops matching entries and reads in flight on deleteWhere', async () => {
    const cache = new ReadCache<{ project: string }>(60_000);
    await cache.get('a', () => Promise.resolve({ project: 'p1' }));
    await cache.get('b', () => Promise.resolve({ project: 'p2' }));
    const late = deferred<{ project: string }>();
    const pending = cache.get('c', () => late.promise);
    cache.deleteWhere((v) => v.project === 'p1');
    late.resolve({ project: 'p1' });
    await pending;
    let reads = 0;
    const again = (v: string) => () => {
      reads++;
      return Promise.resolve({ project: v });
    };
    await cache.get('a', again('p1'));
    await cache.get('b', again('p2'));
    await cache.get('c', again('p1'));
    expect(reads).toBe(2);
  });

  it('keeps no failure and reads again after the time to live', async () => {
    const cache = new ReadCache<string>(0);
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', () => Promise.resolve('up'))).toBe('up');
    expect(await cache.get('k', () => Promise.resolve('newer'))).toBe('newer');
  });

  it('reads afresh when asked to, whatever is cached', async () => {
    const cache = new ReadCache<string>(60_000);
    await cache.get('k', () => Promise.resolve('old'));
    expect(await cache.get('k', () => Promise.resolve('new'), true)).toBe('new');
    expect(await cache.get('k', () => Promise.resolve('unused'))).toBe('new');
  });
});
