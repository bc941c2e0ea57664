import { GroupCommit } from './group-commit';

/** A flush whose calls the test releases by hand, recording each batch. */
function gated(): {
  flush: (items: number[]) => Promise<string[]>;
  batches: number[][];
  release: () => void;
  failIf: (f: (items: number[]) => boolean) => void;
} {
  const batches: number[][] = [];
  let waiting: (() => void)[] = [];
  let fail: (items: number[]) => boolean = () => false;
  return {
    batches,
    flush: (items) => {
      batches.push(items);
      return new Promise<string[]>((resolve, reject) =>
        waiting.push(() => (fail(items) ? reject(new Error(`bad ${items.join(',')}`)) : resolve(items.map((i) => `r${i}`)))),
      );
    },
    release: () => {
      const w = waiting;
      waiting = [];
      for (const f of w) f();
    },
    failIf: (f) => (fail = f),
  };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('sends a lone item at once, and the items that queue behind a full pipeline together', async () => {
    const g = gated();
    const gc = new GroupCommit(g.flush, { maxBatch: 10, maxInFlight: 1 });
    const first = gc.submit(1);
    expect(g.batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((i) => gc.submit(i));
    expect(g.batches).toHaveLength(1);
    g.release();
    expect(await first).toBe('r1');
    await tick();
    expect(g.batches).toEqual([[1], [2, 3, 4]]);
    g.release();
    expect(await Promise.all(rest)).toEqual(['r2', 'r3', 'r4']);
  });

  it('caps a batch at maxBatch and runs up to maxInFlight batches at once', async () => {
    const g = gated();
    const gc = new GroupCommit(g.flush, { maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((i) => gc.submit(i));
    expect(g.batches).toEqual([[1], [2]]);
    g.release();
    await tick();
    expect(g.batches.slice(2)).toEqual([
      [3, 4],
      [5, 6],
    ]);
    g.release();
    expect(await Promise.all(all)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
  });

  it('never puts two items with one key in a batch', async () => {
    const g = gated();
    const gc = new GroupCommit(g.flush, { maxBatch: 10, maxInFlight: 1, key: (i: number) => String(i % 10) });
    const all = [gc.submit(1), gc.submit(2), gc.submit(12), gc.submit(3)];
    g.release();
    await tick();
    expect(g.batches[1]).toEqual([2, 3]);
    g.release();
    await tick();
    expect(g.batches[2]).toEqual([12]);
    g.release();
    expect(await Promise.all(all)).toEqual(['r1', 'r2', 'r12', 'r3']);
  });

  it('fails the whole batch at once on an error that is not about its rows', async () => {
    const g = gated();
    const gc = new GroupCommit(g.flush, { maxBatch: 10, maxInFlight: 1, retryAlone: () => false });
    const first = gc.submit(0);
    const settling = Promise.allSettled([1, 2].map((i) => gc.submit(i)));
    g.release();
    await first;
    await tick();
    g.failIf(() => true);
    g.release();
    expect((await settling).map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect(g.batches).toEqual([[0], [1, 2]]);
  });

  it('retries the items of a batch that failed for one bad row one by one, so only that caller fails', async () => {
    const g = gated();
    const gc = new GroupCommit(g.flush, { maxBatch: 10, maxInFlight: 1, retryAlone: (e) => (e as Error).message.startsWith('bad') });
    const first = gc.submit(0);
    const settling = Promise.allSettled([1, 2, 3].map((i) => gc.submit(i)));
    g.failIf((items) => items.includes(2));
    g.release();
    await first;
    for (let i = 0; i < 5; i++) {
      await tick();
      g.release();
    }
    const settled = await settling;
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('bad 2'));
    expect(g.batches).toEqual([[0], [1, 2, 3], [1], [2], [3]]);
  });
});
