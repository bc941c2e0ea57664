import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { PeriodicTask } from '../../common/periodic-task';
import { StuckWork } from '../../common/stuck-work';
import { DeliveryQueue } from '../delivery-queue';
import { DeliveryStateRepository } from './delivery-state.repository';

const BATCH = 500;
/** Deliveries due more recently than this are left to the job their producer just enqueued. */
const GRACE_MS = 2000;
/** How often held deliveries of re-activated endpoints are released (in sweeps). */
const RELEASE_EVERY = 30;

/**
 * Runs with the `deliveries` duty: Redis is a wake-up hint, PostgreSQL the record. Each
 * sweep recovers expired leases, re-enqueues due deliveries that have no live job (Redis
 * flushed or restarted, enqueue failed), and now and then releases held deliveries of
 * endpoints that are active again. A delivery that stays undone past the lease grace
 * despite a live job (its worker was killed mid-job) moves to a new generation, so the old
 * job can no longer claim it. Unrouted events are the routing duty's (UnroutedSweeper).
 */
@Injectable()
export class Sweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Sweeper.name);
  private sweeps = 0;
  private readonly loop = new PeriodicTask(
    'sweep',
    this.logger,
    () => this.sweepOnce(),
    () => this.config.sweepIntervalMs,
  );
  private readonly stuck = new StuckWork(() => this.config.leaseGraceMs);

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly state: DeliveryStateRepository,
    private readonly queue: DeliveryQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass; public so tests can drive it. Returns what it re-enqueued. */
  async sweepOnce(): Promise<{ leases: number; requeued: number; released: number }> {
    this.sweeps++;
    const recovered = await this.state.recoverExpiredLeases(BATCH);
    await this.queue.enqueue(recovered);

    const due = await this.state.dueCandidates(GRACE_MS, BATCH);
    const live = await Promise.all(due.map((w) => this.queue.hasLiveJob(w)));
    const orphaned = due.filter((_, i) => !live[i]);
    const now = Date.now();
    for (const [i, w] of due.entries()) {
      if (live[i] && this.stuck.isStuck(`${w.id}-${w.generation}`, now) && (await this.queue.hasActiveJob(w))) orphaned.push(w);
    }
    this.stuck.endSweep();
    const bumped = await this.state.bumpGenerations(orphaned);
    await this.queue.enqueue(bumped);

    let released = 0;
    if (this.sweeps % RELEASE_EVERY === 0) released = (await this.releaseHeldOfActiveEndpoints()).length;
    if (recovered.length || bumped.length) this.logger.log({ leases: recovered.length, requeued: bumped.length }, 'sweep recovered work');
    return { leases: recovered.length, requeued: bumped.length, released };
  }

  private async releaseHeldOfActiveEndpoints(): Promise<unknown[]> {
    const rows = await this.state.releaseHeldOfActiveEndpoints(BATCH);
    await this.queue.enqueue(rows);
    return rows;
  }
}
