import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { PeriodicTask } from '../../common/periodic-task';
import { EventsService } from '../events';
import { DeliveryStateRepository } from './delivery-state.repository';
import { DeliveryProducer } from './delivery.producer';
import { EventRouter } from './routing/event-router';

const BATCH = 500;
/** Work younger than this is left to the job its producer just enqueued. */
const GRACE_MS = 2000;
/** How often held deliveries of re-activated endpoints are released (in sweeps). */
const RELEASE_EVERY = 30;
/** Unrouted events the sweeper routes itself per pass, when their queued job seems stuck. */
const DIRECT_ROUTE_BATCH = 100;

/**
 * Runs in every worker: Redis is a wake-up hint, PostgreSQL the record. Each sweep
 * recovers expired leases, re-enqueues due deliveries that have no live job (Redis
 * flushed or restarted, enqueue failed), and wakes the router for unrouted events.
 *
 * A worker killed mid-job leaves its BullMQ job `active` until BullMQ's stall check runs
 * (30-60 s), and that job's id keeps swallowing the wake-ups for the same work. So work
 * that stays undone past the lease grace despite a live job is taken back: a delivery
 * moves to a new generation (the old job can no longer claim it), an event is routed by
 * the sweeper itself (routing is idempotent).
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
  /** work seen undone while a job looked alive: key -> when first seen */
  private readonly suspects = new Map<string, number>();

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly state: DeliveryStateRepository,
    private readonly producer: DeliveryProducer,
    private readonly events: EventsService,
    private readonly router: EventRouter,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass; public so tests can drive it. Returns what it re-enqueued. */
  async sweepOnce(): Promise<{ leases: number; requeued: number; routed: number; released: number }> {
    this.sweeps++;
    const recovered = await this.state.recoverExpiredLeases(BATCH);
    await this.producer.enqueue(recovered);

    const due = await this.state.dueCandidates(GRACE_MS, BATCH);
    const live = await Promise.all(due.map((w) => this.producer.hasLiveJob(w)));
    const orphaned = due.filter((_, i) => !live[i]);
    const now = Date.now();
    const seen = new Set<string>();
    for (const [i, w] of due.entries()) {
      if (live[i] && this.stuck(`d:${w.id}-${w.generation}`, now, seen) && (await this.producer.hasActiveJob(w))) orphaned.push(w);
    }
    const bumped = await this.state.bumpGenerations(orphaned);
    await this.producer.enqueue(bumped);

    const unrouted = await this.events.unrouted(GRACE_MS, BATCH);
    this.events.wakeRouter(unrouted);
    const stale = unrouted.filter((id) => this.stuck(`e:${id}`, now, seen)).slice(0, DIRECT_ROUTE_BATCH);
    for (const id of stale) await this.router.route(id);
    for (const key of this.suspects.keys()) if (!seen.has(key)) this.suspects.delete(key);

    let released = 0;
    if (this.sweeps % RELEASE_EVERY === 0) released = (await this.releaseHeldOfActiveEndpoints()).length;
    if (recovered.length || bumped.length || unrouted.length) {
      this.logger.log({ leases: recovered.length, requeued: bumped.length, unrouted: unrouted.length }, 'sweep recovered work');
    }
    return { leases: recovered.length, requeued: bumped.length, routed: unrouted.length, released };
  }

  /** True once `key` has stayed undone for longer than the lease grace across sweeps. */
  private stuck(key: string, now: number, seen: Set<string>): boolean {
    seen.add(key);
    const first = this.suspects.get(key);
    if (first === undefined) {
      this.suspects.set(key, now);
      return false;
    }
    return now - first >= this.config.leaseGraceMs;
  }

  private async releaseHeldOfActiveEndpoints(): Promise<unknown[]> {
    const rows = await this.state.releaseHeldOfActiveEndpoints(BATCH);
    await this.producer.enqueue(rows);
    return rows;
  }
}
