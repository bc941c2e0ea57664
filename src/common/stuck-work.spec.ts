import { StuckWork } from './stuck-work';

describe('StuckWork', () => {
  it('calls work stuck only after it stayed undone past the grace across sweeps', () => {
    const w = new StuckWork(() => 1000);
    expect(w.isStuck('a', 0)).toBe(false);
    w.endSweep();
    expect(w.isStuck('a', 999)).toBe(false);
    w.endSweep();
    expect(w.isStuck('a', 1000)).toBe(true);
  });

  it('forgets work a sweep no longer sees', () => {
    const w = new StuckWork(() => 1000);
    w.isStuck('a', 0);
    w.endSweep();
    w.endSweep();
    expect(w.isStuck('a', 5000)).toBe(false);
  });
});
