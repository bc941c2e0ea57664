/**
 * Remembers work that a sweep found undone although a queue job for it looked alive. A
 * worker killed mid-job leaves its BullMQ job `active` until BullMQ's stall check runs
 * (30-60 s), and that job's id keeps swallowing the wake-ups for the same work; work seen
 * undone for longer than `graceMs` across sweeps is taken back by the sweeper.
 */
export class StuckWork {
  private readonly firstSeen = new Map<string, number>();
  private seen = new Set<string>();

  constructor(private readonly graceMs: () => number) {}

  /** True once `key` has stayed undone for longer than the grace across sweeps. */
  isStuck(key: string, now: number): boolean {
    this.seen.add(key);
    const first = this.firstSeen.get(key);
    if (first === undefined) {
      this.firstSeen.set(key, now);
      return false;
    }
    return now - first >= this.graceMs();
  }

  /** Ends a sweep: forgets whatever it did not see again, which was done meanwhile. */
  endSweep(): void {
    for (const key of this.firstSeen.keys()) if (!this.seen.has(key)) this.firstSeen.delete(key);
    this.seen = new Set();
  }
}
