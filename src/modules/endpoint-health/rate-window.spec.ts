import { book, confirm, RateEntry, rateWindowMs } from './rate-window';

/** The most sends of `times` inside any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('rate window', () => {
  it('lets a burst of `count` through, then books the rest a window after', () => {
    const log: RateEntry[] = [];
    const d = Array.from({ length: 5 }, (_, i) => book(log, 0, 3, 1000, 60_000, `t${i}`));
    expect(d.map((x) => x.kind)).toEqual(['now', 'now', 'now', 'booked', 'booked']);
    expect(d.slice(3)).toEqual([
      { kind: 'booked', waitMs: 1000 },
      { kind: 'booked', waitMs: 1000 },
    ]);
  });

  it('refuses beyond the horizon without reserving', () => {
    const log: RateEntry[] = [];
    for (let i = 0; i < 4; i++) book(log, 0, 2, 1000, 1500, `t${i}`);
    expect(book(log, 0, 2, 1000, 1500, 'late')).toEqual({ kind: 'refused', waitMs: 2000 });
    expect(log.map((e) => e.token)).not.toContain('late');
  });

  it('never books more than `count` into any window, whatever the arrival pattern', () => {
    const log: RateEntry[] = [];
    const sends: number[] = [];
    let now = 0;
    for (let i = 0; i < 500; i++) {
      now += (i * 7919) % 13 === 0 ? 0 : (i * 104729) % 37;
      const d = book(log, now, 10, 1000, 600_000, `t${i}`);
      if (d.kind === 'now') sends.push(now);
      if (d.kind === 'booked') sends.push(now + d.waitMs);
    }
    expect(sends).toHaveLength(500);
    expect(busiestWindow(sends, 1000)).toBe(10);
  });

  it('holds a late send back at confirm when earlier reservations ran late', () => {
    const log: RateEntry[] = [];
    // two per second: a, b at 0; c, d booked at 1000
    for (const t of ['a', 'b', 'c', 'd']) book(log, 0, 2, 1000, 60_000, t);
    // a and b were sent late, at 40 ms
    expect(confirm(log, 40, 2, 1000, 'a')).toBe(0);
    expect(confirm(log, 40, 2, 1000, 'b')).toBe(0);
    // c wakes on time at 1000: a and b are still in its window until 1040
    expect(confirm(log, 1000, 2, 1000, 'c')).toBe(40);
    expect(confirm(log, 1040, 2, 1000, 'c')).toBe(0);
    expect(confirm(log, 1040, 2, 1000, 'd')).toBe(0);
  });

  it('counts a send that had no reservation', () => {
    const log: RateEntry[] = [];
    expect(confirm(log, 0, 1, 1000, 'x')).toBe(0);
    expect(confirm(log, 10, 1, 1000, 'y')).toBe(990);
  });

  it('widens the window by a margin of 5 %, between 20 and 250 ms', () => {
    expect(rateWindowMs(1000)).toBe(1050);
    expect(rateWindowMs(100)).toBe(120);
    expect(rateWindowMs(60_000)).toBe(60_250);
  });
});
