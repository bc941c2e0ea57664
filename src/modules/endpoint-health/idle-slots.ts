/** A concurrency slot this process holds in Redis: its token, and when its lease began (local clock). */
export interface HeldSlot {
  token: string;
  at: number;
}

/**
 * Slots this process holds in Redis but is not using: a slot given back after a send
 * stays here for `holdMs`, and the next delivery to the same endpoint takes it without a
 * round trip (at a busy endpoint that is almost every delivery). Only slots that stayed
 * unused that long go back to Redis, together. The cap holds across workers all the same:
 * an idle slot is still counted in Redis. A slot is reused only in the first half of its
 * lease, so a lease never runs out under a delivery.
 */
export class IdleSlots {
  private readonly idle = new Map<string, (HeldSlot & { since: number })[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly holdMs: number,
    private readonly releaseMany: (endpointId: string, tokens: string[]) => Promise<void>,
  ) {}

  /** An idle slot of the endpoint whose lease began less than `maxAgeMs` ago, if any. */
  take(endpointId: string, now: number, maxAgeMs: number): HeldSlot | undefined {
    const list = this.idle.get(endpointId);
    if (!list) return undefined;
    const stale: string[] = [];
    let found: HeldSlot | undefined;
    while (list.length > 0 && !found) {
      const s = list.pop()!;
      if (now - s.at < maxAgeMs) found = { token: s.token, at: s.at };
      else stale.push(s.token);
    }
    if (list.length === 0) this.forget(endpointId);
    if (stale.length) void this.releaseMany(endpointId, stale).catch(() => undefined);
    return found;
  }

  keep(endpointId: string, slot: HeldSlot, now = Date.now()): void {
    const list = this.idle.get(endpointId);
    if (list) list.push({ ...slot, since: now });
    else this.idle.set(endpointId, [{ ...slot, since: now }]);
    if (!this.timers.has(endpointId)) this.schedule(endpointId, this.holdMs);
  }

  /** Gives every idle slot back to Redis (on shutdown). */
  async releaseAll(): Promise<void> {
    const all = [...this.idle.entries()];
    for (const id of [...this.idle.keys()]) this.forget(id);
    await Promise.all(
      all.map(([id, list]) =>
        this.releaseMany(
          id,
          list.map((s) => s.token),
        ).catch(() => undefined),
      ),
    );
  }

  private schedule(endpointId: string, ms: number): void {
    const t = setTimeout(() => this.expire(endpointId), ms);
    t.unref();
    this.timers.set(endpointId, t);
  }

  /** Slots idle for `holdMs` go back to Redis; the younger ones wait for their turn. */
  private expire(endpointId: string): void {
    this.timers.delete(endpointId);
    const list = this.idle.get(endpointId);
    if (!list) return;
    const now = Date.now();
    const due = list.filter((s) => now - s.since >= this.holdMs);
    const rest = list.filter((s) => now - s.since < this.holdMs);
    if (rest.length) {
      this.idle.set(endpointId, rest);
      this.schedule(endpointId, Math.max(1, this.holdMs - (now - Math.min(...rest.map((s) => s.since)))));
    } else this.idle.delete(endpointId);
    if (due.length)
      void this.releaseMany(
        endpointId,
        due.map((s) => s.token),
      ).catch(() => undefined);
  }

  private forget(endpointId: string): void {
    this.idle.delete(endpointId);
    const t = this.timers.get(endpointId);
    if (t) clearTimeout(t);
    this.timers.delete(endpointId);
  }
}
