import type { Logger } from '@nestjs/common';

/**
 * A background pass run again and again on a timer, never overlapping itself. A failed
 * pass is logged (at most every 10 s, so an outage does not flood the logs) and the loop
 * goes on; `stop()` waits for the pass in flight, so shutdown never cuts one in half.
 */
export class PeriodicTask<T> {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;
  private lastError = 0;

  constructor(
    private readonly what: string,
    private readonly logger: Logger,
    private readonly pass: () => Promise<T>,
    /** ms until the next pass, given this one's result (undefined after a failure) */
    private readonly nextDelayMs: (result: T | undefined) => number,
  ) {}

  start(firstDelayMs = 0): void {
    this.schedule(firstDelayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().then(
        (result) => this.schedule(this.nextDelayMs(result)),
        (e: unknown) => {
          const now = Date.now();
          if (now - this.lastError > 10_000) {
            this.lastError = now;
            this.logger.warn(`${this.what} failed: ${(e as Error).message}`);
          }
          this.schedule(this.nextDelayMs(undefined));
        },
      );
    }, ms);
  }
}
