/** How far back a project's wake-ups count towards its priority. */
export const LOAD_WINDOW_MS = 10_000;
const BUCKET_MS = 1_000;
const MAX_TRACKED = 50_000;

/**
 * BullMQ priorities for first attempts, so a project's backlog cannot starve the others:
 * the more deliveries a project woke in the last ten seconds (in this process), the lower
 * its jobs' priority (1 = first). A quiet project's delivery goes ahead of a flood's
 * backlog; projects of similar volume keep FIFO order among themselves. The scale is
 * logarithmic, so it orders by volume without ever starving a busy project for good:
 * once the quiet ones are served, its jobs run. Pods keep their own counts; behind a load
 * balancer each sees the same proportions.
 */
export class FairPriority {
  private readonly buckets = new Map<string, { at: number; counts: number[] }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts `n` wake-ups for the project and returns the priority its jobs get. */
  take(projectId: string, n = 1): number {
    const slot = Math.floor(this.now() / BUCKET_MS);
    let b = this.buckets.get(projectId);
    if (!b) {
      if (this.buckets.size >= MAX_TRACKED) this.buckets.clear();
      b = { at: slot, counts: new Array<number>(LOAD_WINDOW_MS / BUCKET_MS).fill(0) };
      this.buckets.set(projectId, b);
    }
    this.advance(b, slot);
    const before = b.counts.reduce((a, c) => a + c, 0);
    b.counts[slot % b.counts.length] += n;
    return 1 + Math.floor(Math.log2(1 + before));
  }

  private advance(b: { at: number; counts: number[] }, slot: number): void {
    const steps = Math.min(slot - b.at, b.counts.length);
    for (let i = 1; i <= steps; i++) b.counts[(b.at + i) % b.counts.length] = 0;
    if (slot > b.at) b.at = slot;
  }
}
