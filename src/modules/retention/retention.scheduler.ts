import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { PeriodicTask } from '../../common/periodic-task';
import { RetentionReport, RetentionRunner } from './retention.runner';

/** The first try waits this long (or the interval, if shorter), so a starting pod does its start-up work first. */
const FIRST_RUN_DELAY_MS = 60_000;

/**
 * Worker duty `retention`: every RETENTION_INTERVAL_MS each worker tries a run; the
 * runner's advisory lock lets one through at a time, the others find it held and wait
 * for the next interval.
 */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Retention');
  private readonly loop = new PeriodicTask<RetentionReport>(
    'retention',
    this.logger,
    () => this.runOnce(),
    () => this.config.retentionIntervalMs,
  );

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly runner: RetentionRunner,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(Math.min(FIRST_RUN_DELAY_MS, this.config.retentionIntervalMs));
  }

  async onApplicationShutdown(): Promise<void> {
    this.runner.stop();
    await this.loop.stop();
  }

  async runOnce(): Promise<RetentionReport> {
    const r = await this.runner.run();
    const total = Object.values(r.removed).reduce((a, b) => a + b, 0);
    if (!r.skipped && (total > 0 || r.failedProjects > 0)) {
      this.logger.log({ removed: r.removed, projects: r.projects, failedProjects: r.failedProjects, ms: r.durationMs }, 'retention run');
    }
    return r;
  }
}
