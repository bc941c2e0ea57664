import { gcra } from './gcra';

describe('gcra', () => {
  function run(times: number[], count: number, periodMs: number): boolean[] {
    let tat: number | null = null;
    return times.map((now) => {
      const d = gcra(tat, now, count, periodMs);
      if (d.allowed) tat = d.tat;
      return d.allowed;
    });
  }

  it('allows a burst of `count` and then refuses within the period', () => {
    expect(run([0, 0, 0, 0], 3, 1000)).toEqual([true, true, true, false]);
  });

  it('refills one send per interval', () => {
    // 2 per second: interval 500 ms
    expect(run([0, 0, 1, 499, 500, 501], 2, 1000)).toEqual([true, true, false, false, true, false]);
  });

  it('tells a denied caller how long to wait until one more send fits', () => {
    let tat: number | null = null;
    for (let i = 0; i < 4; i++) tat = gcra(tat, 0, 4, 1000).tat;
    const d = gcra(tat, 100, 4, 1000);
    expect(d.allowed).toBe(false);
    expect(d.retryAfterMs).toBe(150);
    expect(gcra(tat, 250, 4, 1000).allowed).toBe(true);
  });

  it('never lets more than count + elapsed/interval through over a long run', () => {
    let tat: number | null = null;
    let allowed = 0;
    for (let now = 0; now < 10_000; now += 7) {
      const d = gcra(tat, now, 10, 1000);
      if (d.allowed) {
        tat = d.tat;
        allowed++;
      }
    }
    expect(allowed).toBeLessThanOrEqual(10 + 100);
    expect(allowed).toBeGreaterThanOrEqual(100);
  });

  it('books future sends within the horizon so a backlog spreads out instead of retrying together', () => {
    let tat: number | null = null;
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const d = gcra(tat, 0, 2, 1000, 10_000);
      tat = d.tat;
      waits.push(d.allowed ? 0 : d.retryAfterMs);
      expect(d.allowed || d.booked).toBe(true);
    }
    expect(waits).toEqual([0, 0, 500, 1000, 1500, 2000]);
    // beyond the horizon nothing is booked and nothing consumed
    const far = gcra(tat, 0, 2, 1000, 1000);
    expect(far).toMatchObject({ allowed: false, booked: false, tat, retryAfterMs: 2500 });
  });

  it('does not bank unused capacity beyond one burst', () => {
    expect(run([0, 60_000, 60_000, 60_000], 2, 1000)).toEqual([true, true, true, false]);
  });
});
