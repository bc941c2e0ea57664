import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { PeriodicTask } from '../../common/periodic-task';
import { EndpointsService } from './endpoints.service';

const BATCH = 500;
/** Passes per run at most, so one run stays bounded however many endpoints rotated. */
const MAX_BATCHES = 20;

/**
 * Worker duty `secret-purge`: every SECRET_PURGE_INTERVAL_MS, removes endpoint secrets whose expiry has
 * passed. Signing already ignores them; this keeps the stored list (and the API's
 * `secrets`) short. Every worker runs it; the statement skips rows another has locked.
 */
@Injectable()
export class ExpiredSecretPurger implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiredSecretPurger.name);
  private readonly loop = new PeriodicTask(
    'secret purge',
    this.logger,
    () => this.purgeOnce(),
    () => this.config.secretPurgeIntervalMs,
  );

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly endpoints: EndpointsService,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(this.config.secretPurgeIntervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One run; public so tests can drive it. Returns the endpoints it cleaned. */
  async purgeOnce(): Promise<number> {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const ids = await this.endpoints.purgeExpiredSecrets(BATCH);
      total += ids.length;
      if (ids.length < BATCH) break;
    }
    if (total) this.logger.log({ endpoints: total }, 'removed expired endpoint secrets');
    return total;
  }
}
