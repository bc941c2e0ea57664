import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown, Type } from '@nestjs/common';
import type { Server } from 'node:http';
import { CARAVAN_CONFIG, CaravanConfig, loadConfig, WorkerDuty } from '../../libs/config';
import { metricsAllowed } from '../../libs/observability';
import { HealthMetrics } from '../../libs/observability/metrics';
import { BrokersWorkerModule } from '../modules/brokers';
import { DeliveriesWorkerModule } from '../modules/deliveries';
import { EndpointsWorkerModule } from '../modules/endpoints';
import { EventsWorkerModule } from '../modules/events';
import { MetaEventsWorkerModule } from '../modules/meta-events';
import { NotificationsModule, NotificationsWorkerModule } from '../modules/notifications';
import { RetentionWorkerModule } from '../modules/retention';
import { HealthChecks, HealthModule } from '../modules/health';
import { InstanceModule } from '../modules/instance';
import { CoreModule } from './core.module';
import { startSidePort, stopSidePort } from './side-port';

@Injectable()
export class WorkerHealthServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  private readonly logger = new Logger('WorkerHealth');

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly checks: HealthChecks,
    private readonly metrics: HealthMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.server = await startSidePort(this.config.host, this.config.workerHealthPort, {
      '/health/live': () => Promise.resolve({ status: 200, body: { status: 'ok' } }),
      '/metrics': async (req) => {
        if (!metricsAllowed(this.config.metricsToken, req.headers.authorization, false)) return { status: 401, body: { status: 'unauthorized' } };
        const { contentType, body } = await this.metrics.render();
        return { status: 200, body, contentType };
      },
      '/health/ready': async () => {
        try {
          return { status: 200, body: await this.checks.ready() };
        } catch (e) {
          return { status: 503, body: (e as { response?: unknown }).response ?? { status: 'error' } };
        }
      },
    });
    if (this.server) this.logger.debug(`worker health on :${this.config.workerHealthPort}`);
  }

  /** Where the health port listens, when it is on. */
  address(): { host: string; port: number } | undefined {
    const bound = this.server?.address();
    return bound && typeof bound === 'object' ? { host: bound.address, port: bound.port } : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await stopSidePort(this.server);
  }
}

/**
 * The one list of what a worker runs: each duty is a module that registers its owner's
 * processors, sweepers and timers. The worker role and the all-in-one both take their
 * duties from here; WORKER_DUTIES picks which run in a process (all by default), so
 * deliveries, routing and housekeeping can run on separate pods.
 */
export const WORKER_DUTY_MODULES: Record<WorkerDuty, Type> = {
  deliveries: DeliveriesWorkerModule,
  routing: EventsWorkerModule,
  'meta-events': MetaEventsWorkerModule,
  'secret-purge': EndpointsWorkerModule,
  retention: RetentionWorkerModule,
  brokers: BrokersWorkerModule,
  notifications: NotificationsWorkerModule,
};

/** The duty modules a process runs, with the worker's health port. */
export function workerDuties(config: CaravanConfig | undefined): { imports: Type[]; providers: Type[] } {
  const duties = (config ?? loadConfig()).workerDuties;
  return { imports: duties.map((d) => WORKER_DUTY_MODULES[d]), providers: [WorkerHealthServer] };
}

/** The worker role: an application context (no API routes) running its duties. */
@Module({})
export class WorkerModule {
  static forRoot(config?: CaravanConfig): DynamicModule {
    const duties = workerDuties(config);
    return {
      module: WorkerModule,
      imports: [CoreModule.forRole('worker', config), InstanceModule, HealthModule, NotificationsModule, ...duties.imports],
      providers: duties.providers,
    };
  }
}
