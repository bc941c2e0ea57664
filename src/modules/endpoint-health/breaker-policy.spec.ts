import { admit, afterOutcome, BreakerSettings, BreakerState, bucketOf, CLOSED, windowCounts } from './breaker-policy';

const cfg: BreakerSettings = { errorTimeoutMs: 30_000, failureThresholdPct: 70, successThreshold: 3, minimumRequests: 10, windowMs: 300_000, bucketMs: 30_000 };

/** A tiny model of the shared store: bucketed counts plus the state, driven by a fake clock. */
class Model {
  state: BreakerState = CLOSED;
  buckets: Record<string, string> = {};
  now = 1_000_000;

  send(ok: boolean): 'sent' | 'denied' {
    const a = admit(this.state, this.now, cfg);
    if (a.kind === 'deny') return 'denied';
    if (a.next) this.state = a.next;
    const field = `${bucketOf(this.now, cfg)}:${ok ? 's' : 'f'}`;
    this.buckets[field] = String(Number(this.buckets[field] ?? 0) + 1);
    const { counts } = windowCounts(this.buckets, this.now, cfg);
    const eff = afterOutcome(this.state, counts, ok, this.now, cfg);
    if (eff.next) this.state = eff.next;
    if (eff.resetWindow) this.buckets = {};
    return 'sent';
  }
}

describe('breaker policy', () => {
  it('stays closed below the minimum request count however bad the rate', () => {
    const m = new Model();
    for (let i = 0; i < 9; i++) m.send(false);
    expect(m.state.phase).toBe('closed');
    m.send(false);
    expect(m.state.phase).toBe('open');
    expect(m.state.trips).toBe(1);
  });

  it('stays closed while the failure rate is under the threshold', () => {
    const m = new Model();
    for (let i = 0; i < 20; i++) m.send(i % 2 === 0);
    expect(m.state.phase).toBe('closed');
  });

  it('refuses while open, then lets probes through after the error timeout', () => {
    const m = new Model();
    for (let i = 0; i < 10; i++) m.send(false);
    expect(m.send(true)).toBe('denied');
    const a = admit(m.state, m.now + 10_000, cfg);
    expect(a).toEqual({ kind: 'deny', retryAfterMs: 20_000 });
    m.now += 30_000;
    expect(admit(m.state, m.now, cfg).kind).toBe('probe');
  });

  it('closes after enough successful probes and forgets the old failures', () => {
    const m = new Model();
    for (let i = 0; i < 10; i++) m.send(false);
    m.now += 30_000;
    m.send(true);
    expect(m.state.phase).toBe('half_open');
    m.send(true);
    m.send(true);
    expect(m.state.phase).toBe('closed');
    expect(m.state.trips).toBe(0);
    m.send(false);
    expect(m.state.phase).toBe('closed');
  });

  it('reopens on a failed probe and counts the trip', () => {
    const m = new Model();
    for (let i = 0; i < 10; i++) m.send(false);
    m.now += 30_000;
    m.send(false);
    expect(m.state.phase).toBe('open');
    expect(m.state.trips).toBe(2);
    expect(m.state.openedAt).toBe(m.now);
  });

  it('lets failures age out of the observability window', () => {
    const m = new Model();
    for (let i = 0; i < 9; i++) m.send(false);
    m.now += 301_000;
    m.send(false);
    expect(m.state.phase).toBe('closed');
    const { counts, stale } = windowCounts(m.buckets, m.now, cfg);
    expect(counts).toEqual({ successes: 0, failures: 1 });
    expect(stale.length).toBe(1);
  });

  it('ignores answers that arrive while the breaker is open', () => {
    const open: BreakerState = { ...CLOSED, phase: 'open', openedAt: 5, trips: 1, version: 3 };
    expect(afterOutcome(open, { successes: 0, failures: 50 }, true, 10, cfg)).toEqual({ resetWindow: false });
  });
});
