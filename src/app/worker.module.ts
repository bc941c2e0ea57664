import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Server } from 'node:http';
import { CARAVAN_CONFIG, CaravanConfig } from '../../libs/config';
import { HealthMetrics } from '../../libs/observability/metrics';
import { DeliveriesModule } from '../modules/deliveries';
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
    this.server = await startSidePort('0.0.0.0', this.config.workerHealthPort, {
      '/health/live': () => Promise.resolve({ status: 200, body: { status: 'ok' } }),
      '/metrics': async () => {
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
    if (this.server) this.logger.log(`worker health on :${this.config.workerHealthPort}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await stopSidePort(this.server);
  }
}

/** The worker role: an application context (no API routes) running processors and the sweeper. */
@Module({})
export class WorkerModule {
  static forRoot(config?: CaravanConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRole('worker', config), InstanceModule, HealthModule, DeliveriesModule.forWorker()],
      providers: [WorkerHealthServer],
    };
  }
}
