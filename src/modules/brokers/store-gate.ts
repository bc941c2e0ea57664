import { Logger } from '@nestjs/common';
import { sleep } from '../broker-clients';

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 10_000;

/**
 * Holds every broker consumer of a process while the store is failing: after a transient
 * failure one probe loop runs with backoff, and consumers wait on it before handling the
 * next message, so a PostgreSQL outage turns into messages left unacknowledged on the
 * broker rather than a redelivery storm.
 */
export class StoreGate {
  private readonly logger = new Logger('BrokerStoreGate');
  private waiting?: Promise<void>;
  private delay = FIRST_DELAY_MS;
  private readonly stopping = new AbortController();

  constructor(private readonly probe: () => Promise<void>) {}

  /** Resolves at once while the store is healthy, else once a probe succeeds (or on stop). */
  ready(): Promise<void> {
    return this.waiting ?? Promise.resolve();
  }

  /** The current backoff, for brokers that can delay a redelivery themselves. */
  retryDelayMs(): number {
    return this.delay;
  }

  trip(cause: unknown): void {
    if (this.waiting || this.stopping.signal.aborted) return;
    this.logger.warn(`store unavailable (${cause instanceof Error ? cause.message : String(cause)}); broker consumption paused`);
    this.waiting = this.recover().finally(() => (this.waiting = undefined));
  }

  stop(): void {
    this.stopping.abort();
  }

  private async recover(): Promise<void> {
    for (let attempt = 0; !this.stopping.signal.aborted; attempt++) {
      await sleep(this.delay, this.stopping.signal);
      try {
        await this.probe();
        this.delay = FIRST_DELAY_MS;
        this.logger.log('store available again; broker consumption resumed');
        return;
      } catch {
        this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
      }
    }
  }
}
