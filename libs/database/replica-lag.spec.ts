import { parseLsn, PrimaryWalHistory } from './replica-lag';

describe('parseLsn', () => {
  it('orders WAL positions across the high word', () => {
    expect(parseLsn('0/16B3748') < parseLsn('0/16B3749')).toBe(true);
    expect(parseLsn('0/FFFFFFFF') < parseLsn('1/0')).toBe(true);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
  });

  it('refuses what is not a position', () => {
    expect(() => parseLsn('16B374D848')).toThrow(/WAL position/);
    expect(() => parseLsn('x/1')).toThrow(/WAL position/);
  });
});

describe('PrimaryWalHistory', () => {
  it('reads a caught-up replica of an idle primary as current, however long it stayed idle', () => {
    const h = new PrimaryWalHistory(10_000);
    for (let t = 0; t <= 60_000; t += 1000) h.record(t, 100n);
    expect(h.lagMs(100n, 60_000)).toBe(0);
  });

  it('counts the time since the newest primary position the replica has replayed', () => {
    const h = new PrimaryWalHistory(10_000);
    h.record(0, 100n);
    h.record(1000, 200n);
    h.record(2000, 300n);
    expect(h.lagMs(250n, 2000)).toBe(1000);
    expect(h.lagMs(300n, 2000)).toBe(0);
    expect(h.lagMs(100n, 2500)).toBe(2500);
  });

  it('says unknown (too far behind) when the replica is behind every sample kept', () => {
    const h = new PrimaryWalHistory(3000);
    for (let t = 0; t <= 10_000; t += 1000) h.record(t, BigInt(t + 1));
    expect(h.lagMs(5n, 10_000)).toBeUndefined();
    expect(new PrimaryWalHistory(1000).lagMs(5n, 0)).toBeUndefined();
  });
});
