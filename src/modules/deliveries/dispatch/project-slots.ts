/** A project counts as active in this worker for this long after its last delivery job. */
export const ACTIVE_WINDOW_MS = 5_000;

/**
 * Per-project fairness inside one worker process: how many of the worker's delivery slots
 * one project may hold at once. Alone, a project may hold `share` of them (WORKER_PROJECT_SHARE),
 * so a slot is always left for a project that turns up; once several projects have had jobs
 * here recently, each may hold its even part (slots / active projects, at least one). A
 * refusal defers the delivery without claiming it, like a full endpoint cap, so the slot goes
 * to another project's job instead of to a slow receiver of the busiest one.
 */
export class ProjectSlots {
  private readonly inFlight = new Map<string, number>();
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly slots: number,
    private readonly share: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a slot for the project, or answers false when it already holds its part. */
  tryAcquire(projectId: string): boolean {
    const now = this.now();
    this.lastSeen.set(projectId, now);
    const held = this.inFlight.get(projectId) ?? 0;
    if (held >= this.capFor(now)) return false;
    this.inFlight.set(projectId, held + 1);
    return true;
  }

  release(projectId: string): void {
    const held = this.inFlight.get(projectId) ?? 0;
    if (held <= 1) this.inFlight.delete(projectId);
    else this.inFlight.set(projectId, held - 1);
  }

  held(projectId: string): number {
    return this.inFlight.get(projectId) ?? 0;
  }

  /** The most slots one project may hold now. */
  capFor(now: number = this.now()): number {
    let active = 0;
    for (const [id, at] of this.lastSeen) {
      if (now - at <= ACTIVE_WINDOW_MS || this.inFlight.has(id)) active++;
      else this.lastSeen.delete(id);
    }
    const alone = Math.max(1, Math.floor(this.slots * this.share));
    if (active <= 1) return alone;
    return Math.max(1, Math.min(alone, Math.ceil(this.slots / active)));
  }
}
