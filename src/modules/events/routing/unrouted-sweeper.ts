import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../../libs/config';
import { PeriodicTask } from '../../../common/periodic-task';
import { StuckWork } from '../../../common/stuck-work';
import { EventsRepository } from '../events.repository';
import { EventRouter } from './event-router';
import { RoutingQueue } from './routing.queue';

const BATCH = 500;
/** Events younger than this are left to the job their producer just enqueued. */
const GRACE_MS = 2000;
/** Unrouted events routed by the sweeper itself per pass, when their queued job seems stuck. */
const DIRECT_ROUTE_BATCH = 100;

/**
 * Runs with the `routing` duty: events acknowledged but still unrouted (a replay whose
 * wake-up Redis lost, a router that died) are woken again, and those whose job looks alive
 * but stays undone past the lease grace are routed here directly (routing is idempotent).
 */
@Injectable()
export class UnroutedSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(UnroutedSweeper.name);
  private readonly stuck = new StuckWork(() => this.config.leaseGraceMs);
  private readonly loop = new PeriodicTask(
    'unrouted sweep',
    this.logger,
    () => this.sweepOnce(),
    () => this.config.sweepIntervalMs,
  );

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly events: EventsRepository,
    private readonly queue: RoutingQueue,
    private readonly router: EventRouter,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass; public so tests can drive it. Returns how many unrouted events it saw. */
  async sweepOnce(): Promise<number> {
    const unrouted = await this.events.unrouted(GRACE_MS, BATCH);
    this.queue.wake(unrouted);
    const now = Date.now();
    const stale = unrouted.filter((id) => this.stuck.isStuck(id, now)).slice(0, DIRECT_ROUTE_BATCH);
    for (const id of stale) await this.router.route(id);
    this.stuck.endSweep();
    if (unrouted.length) this.logger.log({ unrouted: unrouted.length, routedHere: stale.length }, 'sweep found unrouted events');
    return unrouted.length;
  }
}
