import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { SecretPurgeRepository } from './secret-purge.repository';

const BATCH = 500;
/** Passes per run at most, so one run stays bounded however many endpoints rotated. */
const MAX_BATCHES = 20;

/**
 * Worker job: every SECRET_PURGE_INTERVAL_MS, removes endpoint secrets whose expiry has
 * passed. Signing already ignores them; this keeps the stored list (and the API's
 * `secrets`) short. Every worker runs it; the statement skips rows another has locked.
 */
@Injectable()
export class ExpiredSecretPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiredSecretPurger.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly repo: SecretPurgeRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(this.config.secretPurgeIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One run; public so tests can drive it. Returns the endpoints it cleaned. */
  async purgeOnce(): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const ids = await this.repo.purgeExpired(BATCH);
      total += ids.length;
      if (ids.length < BATCH) break;
    }
    if (total) this.logger.log({ endpoints: total }, 'removed expired endpoint secrets');
    return total;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.purgeOnce()
        .catch((e: unknown) => this.logger.warn(`secret purge failed: ${(e as Error).message}`))
        .finally(() => this.schedule(this.config.secretPurgeIntervalMs));
    }, ms);
  }
}
