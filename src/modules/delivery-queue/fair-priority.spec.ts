import { FairPriority, LOAD_WINDOW_MS } from './fair-priority';

describe('FairPriority', () => {
  let t = 0;
  const p = new FairPriority(() => t);

  it("puts a quiet project's deliveries ahead of a flood's backlog", () => {
    let flood = 0;
    for (let i = 0; i < 5_000; i++) flood = p.take('flood');
    const quiet = p.take('quiet');
    expect(quiet).toBe(1);
    expect(flood).toBeGreaterThan(10);
  });

  it('counts batches, and forgets what is older than the window', () => {
    const q = new FairPriority(() => t);
    t = 0;
    expect(q.take('a', 100)).toBe(1);
    expect(q.take('a')).toBe(1 + Math.floor(Math.log2(101)));
    t = LOAD_WINDOW_MS + 1_000;
    expect(q.take('a')).toBe(1);
  });

  it('stays inside BullMQ priorities', () => {
    const q = new FairPriority(() => 0);
    expect(q.take('a', 2 ** 40)).toBe(1);
    expect(q.take('a')).toBeLessThan(2 ** 21);
  });
});
