import type { BreakerSettings } from './breaker-policy';
import { LocalBreakers } from './local-breakers';

const cfg: BreakerSettings = { errorTimeoutMs: 60_000, failureThresholdPct: 50, successThreshold: 1, minimumRequests: 4, windowMs: 60_000, bucketMs: 6_000 };

describe('LocalBreakers', () => {
  let trips: string[];
  let breakers: LocalBreakers;
  beforeEach(() => {
    trips = [];
    breakers = new LocalBreakers((id) => trips.push(id));
  });
  afterEach(() => breakers.shutdown());

  it('counts failed results and reports its own trip so the other workers can follow', async () => {
    for (let i = 0; i < 4; i++)
      await expect(
        breakers.run(
          'ep',
          cfg,
          () => Promise.resolve({ ok: false }),
          (r) => !r.ok,
        ),
      ).resolves.toEqual({ ok: false });
    expect(breakers.phase('ep')).toBe('open');
    expect(trips).toEqual(['ep']);
  });

  it('follows the shared phase without reporting that as a trip of its own', () => {
    expect(breakers.follow('ep', cfg, 'open')).toBe(true);
    expect(breakers.phase('ep')).toBe('open');
    expect(breakers.follow('ep', cfg, 'half_open')).toBe(false);
    expect(breakers.phase('ep')).toBe('closed');
    expect(trips).toEqual([]);
  });

  it('still sends a delivery that was admitted before this process tripped', async () => {
    breakers.follow('ep', cfg, 'open');
    let calls = 0;
    const r = await breakers.run(
      'ep',
      cfg,
      () => Promise.resolve(++calls),
      () => false,
    );
    expect(r).toBe(1);
  });
});
