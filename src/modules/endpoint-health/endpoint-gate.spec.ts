import type { CaravanConfig } from '../../../libs/config';
import { HealthMetrics } from '../../../libs/observability/metrics';
import type { EndpointEntity } from '../endpoints';
import { defaultProjectConfig } from '../projects/project-config';
import type { ProjectEntity } from '../projects';
import { BreakerState, CLOSED } from './breaker-policy';
import { effectiveConcurrency, effectiveRate, EndpointGate } from './endpoint-gate';
import type { EndpointHealthStore } from './endpoint-health.store';

/** An in-memory stand-in for the Redis store, enough to drive the gate's decisions. */
class FakeStore {
  state: BreakerState = CLOSED;
  slots = new Set<string>();
  cap = Infinity;
  rate: { waitMs: number; booked: boolean } = { waitMs: 0, booked: false };
  rateCalls = 0;
  down = false;
  probeTaken = false;

  breaker(): Promise<BreakerState> {
    if (this.down) return Promise.reject(new Error('Stream isn’t writeable'));
    return Promise.resolve(this.state);
  }
  compareAndSet(_id: string, _seen: BreakerState, next: BreakerState): Promise<boolean> {
    this.state = next;
    return Promise.resolve(true);
  }
  takeProbe(): Promise<boolean> {
    if (this.probeTaken) return Promise.resolve(false);
    this.probeTaken = true;
    return Promise.resolve(true);
  }
  releaseProbe(): Promise<void> {
    this.probeTaken = false;
    return Promise.resolve();
  }
  acquireCalls = 0;
  acquireSlot(_id: string, cap: number, _lease: number, token: string): Promise<boolean> {
    this.acquireCalls++;
    if (this.slots.size >= Math.min(cap, this.cap)) return Promise.resolve(false);
    this.slots.add(token);
    return Promise.resolve(true);
  }
  releaseSlots(_id: string, tokens: string[]): Promise<void> {
    for (const t of tokens) this.slots.delete(t);
    return Promise.resolve();
  }
  bookRate(): Promise<{ waitMs: number; booked: boolean }> {
    this.rateCalls++;
    return Promise.resolve(this.rate);
  }
  confirmRate(): Promise<number> {
    return Promise.resolve(0);
  }
  recordSuccess(): void {}
}

const config = { endpointMaxConcurrency: 2, endpointBusyDeferMs: 100, leaseGraceMs: 1000 } as CaravanConfig;
const endpoint = { id: 'ep1', httpTimeout: 10, maxConcurrency: null, rateLimit: 0, rateLimitDuration: 0 } as unknown as EndpointEntity;
const project = { id: 'p1', config: defaultProjectConfig(new Date(0), 'v1') } as ProjectEntity;

describe('EndpointGate', () => {
  let store: FakeStore;
  let gate: EndpointGate;
  beforeEach(() => {
    store = new FakeStore();
    gate = new EndpointGate(config, store as unknown as EndpointHealthStore, new HealthMetrics());
  });
  afterEach(() => gate.onApplicationShutdown());

  it('lets a delivery through with a slot, and refuses the one past the cap', async () => {
    const a = await gate.admit(endpoint, project);
    const b = await gate.admit(endpoint, project);
    const c = await gate.admit(endpoint, project);
    expect([a.kind, b.kind]).toEqual(['go', 'go']);
    expect(c).toMatchObject({ kind: 'defer', reason: 'concurrency' });
    if (a.kind === 'go') await gate.release(a.pass);
    // the slot stays with this process a moment, then goes back to Redis
    expect(store.slots.size).toBe(2);
    await new Promise((r) => setTimeout(r, 60));
    expect(store.slots.size).toBe(1);
  });

  it("gives a slot it was given back to the endpoint's next delivery without asking Redis", async () => {
    const a = await gate.admit(endpoint, project);
    if (a.kind !== 'go') throw new Error('expected a pass');
    const token = a.pass.held?.token;
    await gate.settle(a.pass, true);
    const calls = store.acquireCalls;
    const b = await gate.admit(endpoint, project);
    expect(b).toMatchObject({ kind: 'go', pass: { slot: true, held: { token } } });
    expect(store.acquireCalls).toBe(calls);
    expect(store.slots.size).toBe(1);
    // with both slots in use the cap still holds, whoever holds them
    await gate.admit(endpoint, project);
    await expect(gate.admit(endpoint, project)).resolves.toMatchObject({ kind: 'defer', reason: 'concurrency' });
  });

  it('gives its idle slots back to Redis when it shuts down', async () => {
    const a = await gate.admit(endpoint, project);
    if (a.kind === 'go') await gate.release(a.pass);
    expect(store.slots.size).toBe(1);
    await gate.onApplicationShutdown();
    expect(store.slots.size).toBe(0);
  });

  it('waits briefly for a slot this process frees, at an endpoint whose sends are fast', async () => {
    const a = await gate.admit(endpoint, project);
    const b = await gate.admit(endpoint, project);
    if (a.kind !== 'go' || b.kind !== 'go') throw new Error('expected two passes');
    await gate.run(
      a.pass,
      () => Promise.resolve('sent'),
      () => false,
    );
    const c = gate.admit(endpoint, project);
    await new Promise((r) => setTimeout(r, 20));
    await gate.settle(a.pass, true);
    await expect(c).resolves.toMatchObject({ kind: 'go' });
  });

  it('defers at once at an endpoint with no fast sends to show', async () => {
    await gate.admit(endpoint, project);
    await gate.admit(endpoint, project);
    const calls = store.acquireCalls;
    await expect(gate.admit(endpoint, project)).resolves.toMatchObject({ kind: 'defer', reason: 'concurrency' });
    // one look at the cap, no waiting round
    expect(store.acquireCalls - calls).toBe(1);
  });

  it("holds an endpoint that asks for a huge max_concurrency to the operator's cap", async () => {
    const greedy = { ...endpoint, maxConcurrency: 10_000 } as EndpointEntity;
    const decisions = [await gate.admit(greedy, project), await gate.admit(greedy, project), await gate.admit(greedy, project)];
    expect(decisions.map((d) => d.kind)).toEqual(['go', 'go', 'defer']);
    expect(store.slots.size).toBe(2);
  });

  it('backs off from a full endpoint, doubling up to 2 s', async () => {
    store.cap = 0;
    const delays: number[] = [];
    for (const deferrals of [0, 1, 2, 10]) {
      const d = await gate.admit(endpoint, project, { deferrals });
      if (d.kind === 'defer') delays.push(d.delayMs);
    }
    expect(delays[0]).toBeGreaterThanOrEqual(100);
    expect(delays[0]).toBeLessThan(200);
    expect(delays[2]).toBeGreaterThanOrEqual(400);
    expect(delays[3]).toBeGreaterThanOrEqual(2_000);
    expect(delays[3]).toBeLessThan(4_000);
  });

  it('defers behind an open breaker without taking a slot or a rate token', async () => {
    store.state = { phase: 'open', openedAt: Date.now(), probeSuccesses: 0, trips: 1, version: 1 };
    const d = await gate.admit(endpoint, project);
    expect(d).toMatchObject({ kind: 'defer', reason: 'circuit_open' });
    expect(store.slots.size).toBe(0);
    expect(store.rateCalls).toBe(0);
  });

  it('lets one probe through a half-open breaker and defers the rest', async () => {
    store.state = { phase: 'open', openedAt: Date.now() - 60_000, probeSuccesses: 0, trips: 1, version: 1 };
    const first = await gate.admit(endpoint, project);
    expect(first.kind).toBe('go');
    expect(store.state.phase).toBe('half_open');
    await expect(gate.admit(endpoint, project)).resolves.toMatchObject({ kind: 'defer', reason: 'circuit_probe' });
  });

  it('carries a rate reservation to the deferred attempt, which then skips the limiter', async () => {
    store.rate = { waitMs: 700, booked: true };
    const deferred = await gate.admit(endpoint, project);
    expect(deferred).toMatchObject({ kind: 'defer', reason: 'rate_limit', delayMs: 700, rateToken: expect.any(String) });
    // the deferred delivery holds no slot: the one it had goes back (after the idle hold)
    await new Promise((r) => setTimeout(r, 60));
    expect(store.slots.size).toBe(0);
    const calls = store.rateCalls;
    const token = deferred.kind === 'defer' ? deferred.rateToken : undefined;
    const back = await gate.admit(endpoint, project, { rateToken: token });
    expect(back).toMatchObject({ kind: 'go', pass: { rate: { token } } });
    expect(store.rateCalls).toBe(calls);
  });

  it('sends without protection rather than not at all while Redis is away', async () => {
    store.down = true;
    await expect(gate.admit(endpoint, project)).resolves.toMatchObject({ kind: 'go', pass: { slot: false, probe: false } });
  });

  it('uses the endpoint’s own rate, else the project’s', () => {
    expect(effectiveRate({ rateLimit: 10, rateLimitDuration: 2 }, project)).toEqual({ count: 10, periodMs: 2000 });
    expect(effectiveRate({ rateLimit: 10, rateLimitDuration: 0 }, project)).toEqual({ count: 10, periodMs: project.config.ratelimit.duration * 1000 });
    expect(effectiveRate({ rateLimit: 0, rateLimitDuration: 0 }, project)).toEqual({
      count: project.config.ratelimit.count,
      periodMs: project.config.ratelimit.duration * 1000,
    });
  });
});

describe('effectiveConcurrency', () => {
  it("lets an endpoint lower the operator's cap, never raise it", () => {
    expect(effectiveConcurrency(null, 20)).toBe(20);
    expect(effectiveConcurrency(5, 20)).toBe(5);
    expect(effectiveConcurrency(10_000, 20)).toBe(20);
  });

  it('uses the endpoint cap when the operator set none, and no cap when neither did', () => {
    expect(effectiveConcurrency(7, 0)).toBe(7);
    expect(effectiveConcurrency(null, 0)).toBe(0);
  });
});
