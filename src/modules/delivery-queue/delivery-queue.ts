import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { HealthMetrics } from '../../../libs/observability/metrics';
import { currentTraceparent } from '../../../libs/observability/tracing';
import { QUEUES } from '../../../libs/queue';
import { DeferralHints, DELIVERY_JOB_NAME, DeliveryJob, deliveryJobId, MAX_QUEUE_DELAY_MS, Wakeable } from './delivery-job';
import { FairPriority } from './fair-priority';

/**
 * The one producer of the `deliveries` (first attempts) and `retries` (retries and
 * deferrals) queues: wake-ups for deliveries whose state is already committed. Separate
 * queues keep a backlog of retries from delaying fresh deliveries, and every job carries
 * its project's fair priority (FairPriority), so one project's backlog cannot hold back
 * another's deliveries. Failures to enqueue are harmless: the sweeper re-enqueues
 * anything due that has no job.
 */
@Injectable()
export class DeliveryQueue {
  private readonly logger = new Logger(DeliveryQueue.name);
  private readonly priority = new FairPriority();
  private lastWarn = 0;
  /** wake-ups of this tick, sent together (see wake) */
  private pending: Wakeable[] = [];

  constructor(
    @InjectQueue(QUEUES.deliveries) private readonly first: Queue<DeliveryJob>,
    @InjectQueue(QUEUES.retries) private readonly retries: Queue<DeliveryJob>,
    metrics: HealthMetrics,
  ) {
    metrics.addQueueDepthSource(() => this.depths());
  }

  /**
   * Fire and forget, for request paths: never waits on Redis. The wake-ups of concurrent
   * requests (one group commit answers many at once) leave in one batch after the
   * current tick, instead of one round trip each.
   */
  wake(items: Wakeable[]): void {
    if (items.length === 0) return;
    if (this.pending.length === 0) setImmediate(() => this.flushWakes());
    // the batch leaves outside this request's context: each job keeps the trace it belongs to
    const traceparent = currentTraceparent();
    for (const w of items) this.pending.push(traceparent && !w.traceparent ? { ...w, traceparent } : w);
  }

  private flushWakes(): void {
    const items = this.pending;
    this.pending = [];
    void this.enqueue(items);
  }

  /**
   * Deferred deliveries (rate limit, concurrency cap, open breaker) wait on the retries
   * queue whatever their attempt count, so a throttled endpoint never crowds first attempts.
   */
  enqueueDeferred(items: Wakeable[], delayMs: number, hints?: DeferralHints): Promise<void> {
    return this.add(items, delayMs, () => this.retries, hints);
  }

  enqueue(items: Wakeable[], delayMs = 0): Promise<void> {
    return this.add(items, delayMs, (w) => this.queueFor(w.attempts));
  }

  /** True when a job for this generation is still waiting, delayed or running. */
  async hasLiveJob(w: Wakeable): Promise<boolean> {
    const id = deliveryJobId(w.id, w.generation);
    if (isLive(await this.queueFor(w.attempts).getJobState(id))) return true;
    // a deferred first attempt waits on the retries queue
    return w.attempts === 0 && isLive(await this.retries.getJobState(id));
  }

  /** True when some worker has taken this generation's job; a dead worker's job stays so until BullMQ notices. */
  async hasActiveJob(w: Wakeable): Promise<boolean> {
    const id = deliveryJobId(w.id, w.generation);
    if ((await this.queueFor(w.attempts).getJobState(id)) === 'active') return true;
    return w.attempts === 0 && (await this.retries.getJobState(id)) === 'active';
  }

  /** Job counts of the delivery queues, for the queue-depth gauge. */
  async depths(): Promise<{ queue: string; state: string; count: number }[]> {
    const out: { queue: string; state: string; count: number }[] = [];
    for (const q of [this.first, this.retries]) {
      const counts = await q.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
      for (const [state, count] of Object.entries(counts)) out.push({ queue: q.name, state, count });
    }
    return out;
  }

  private queueFor(attempts: number): Queue<DeliveryJob> {
    return attempts === 0 ? this.first : this.retries;
  }

  private async add(items: Wakeable[], delayMs: number, pick: (w: Wakeable) => Queue<DeliveryJob>, hints?: DeferralHints): Promise<void> {
    if (items.length === 0 || delayMs > MAX_QUEUE_DELAY_MS) return;
    const traceparent = currentTraceparent();
    const byQueue = new Map<Queue<DeliveryJob>, Wakeable[]>();
    for (const w of items) {
      const q = pick(w);
      const list = byQueue.get(q);
      if (list) list.push(w);
      else byQueue.set(q, [w]);
    }
    try {
      await Promise.all(
        [...byQueue.entries()].map(([q, ws]) =>
          q.addBulk(
            ws.map((w) => ({
              name: DELIVERY_JOB_NAME,
              data: { deliveryId: w.id, generation: w.generation, endpointId: w.endpoint_id, traceparent: w.traceparent ?? traceparent, ...hints },
              opts: {
                jobId: deliveryJobId(w.id, w.generation),
                delay: delayMs > 0 ? delayMs : undefined,
                priority: this.priority.take(w.project_id),
                removeOnComplete: true,
                removeOnFail: true,
              },
            })),
          ),
        ),
      );
    } catch (e) {
      const now = Date.now();
      if (now - this.lastWarn > 10_000) {
        this.lastWarn = now;
        this.logger.warn(`could not enqueue deliveries (the sweeper will): ${(e as Error).message}`);
      }
    }
  }
}

function isLive(state: string): boolean {
  return state === 'waiting' || state === 'delayed' || state === 'active' || state === 'prioritized' || state === 'waiting-children';
}
