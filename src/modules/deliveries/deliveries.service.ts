import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { PageRequest } from '../../common/http/pagination.dto';
import { idFloor } from '../../common/ids';
import { DeliveryQueue } from '../delivery-queue';
import { EndpointEvents } from '../endpoints';
import { narrowed } from '../../common/scope';
import { ProjectsService } from '../projects';
import { AttemptEntity } from './attempt.entity';
import { DeliveriesRepository, DeliveryFilter } from './deliveries.repository';
import { DeliveryStateRepository } from './delivery-state.repository';
import { DeliveryEntity } from './delivery.entity';

/** Reading deliveries and the recovery operations (resend, force resend, batch retry). */
@Injectable()
export class DeliveriesService implements OnModuleInit, OnModuleDestroy {
  private unsubscribe?: () => void;

  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly state: DeliveryStateRepository,
    private readonly queue: DeliveryQueue,
    private readonly endpointEvents: EndpointEvents,
    private readonly projects: ProjectsService,
  ) {}

  /** Releases held deliveries as soon as an endpoint is resumed (the sweeper converges too). */
  onModuleInit(): void {
    this.unsubscribe = this.endpointEvents.subscribe(async (change) => {
      if (change.type === 'endpoint.status_changed' && change.to === 'active') {
        this.queue.wake(await this.state.releaseHeld(change.endpointId));
      }
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** The retry strategy reported in each delivery's metadata (Convoy's shape). */
  async strategyOf(projectId: string): Promise<{ type: string; duration: number }> {
    return (await this.projects.getCached(projectId)).config.strategy;
  }

  list(projectId: string, f: DeliveryFilter, page: PageRequest): Promise<DeliveryEntity[]> {
    return this.deliveries.list(projectId, f, page);
  }

  async get(projectId: string, id: string): Promise<DeliveryEntity> {
    const d = await this.deliveries.findOne(projectId, id);
    if (!d || d.deletedAt) throw notFound('event delivery');
    return d;
  }

  /**
   * For a view limited to some endpoints (a portal link's): their deliveries only; the
   * filter's own endpoints narrow the scope, never widen it. No endpoints, no deliveries.
   */
  listForEndpoints(projectId: string, scope: string[], f: DeliveryFilter, page: PageRequest): Promise<DeliveryEntity[]> {
    const endpointIds = narrowed(scope, f.endpointIds);
    if (endpointIds.length === 0) return Promise.resolve([]);
    return this.list(projectId, { ...f, endpointIds }, page);
  }

  /** A delivery to one of `scope`, or 404 as if it did not exist. */
  async getForEndpoints(projectId: string, scope: string[], id: string): Promise<DeliveryEntity> {
    const d = await this.get(projectId, id);
    if (!scope.includes(d.endpointId)) throw notFound('event delivery');
    return d;
  }

  async attemptsForEndpoints(projectId: string, scope: string[], deliveryId: string): Promise<AttemptEntity[]> {
    await this.getForEndpoints(projectId, scope, deliveryId);
    return this.deliveries.listAttempts(projectId, deliveryId);
  }

  async attemptForEndpoints(projectId: string, scope: string[], deliveryId: string, id: string): Promise<AttemptEntity> {
    await this.getForEndpoints(projectId, scope, deliveryId);
    return this.attempt(projectId, deliveryId, id);
  }

  async resendForEndpoints(projectId: string, scope: string[], id: string): Promise<DeliveryEntity> {
    await this.getForEndpoints(projectId, scope, id);
    return this.resend(projectId, id);
  }

  async batchRetryForEndpoints(projectId: string, scope: string[], f: DeliveryFilter): Promise<{ resent: number }> {
    const endpointIds = narrowed(scope, f.endpointIds);
    if (endpointIds.length === 0) return { resent: 0 };
    return this.batchRetry(projectId, { ...f, endpointIds });
  }

  /**
   * Convoy's period failure rates: per endpoint, the deliveries that succeeded and failed
   * between `start` and `end` (default: the last 24 hours, at most 31 days), retries made,
   * and failures ÷ finished deliveries.
   */
  async periodFailureRates(
    projectId: string,
    endpointIds: string[] | undefined,
    start?: Date,
    end?: Date,
  ): Promise<{ uid: string; success_count: number; failure_count: number; retry_count: number; period_failure_rate: number }[]> {
    await this.projects.getCached(projectId);
    const to = end ?? new Date();
    const from = start ?? new Date(to.getTime() - 24 * 3600_000);
    if (from.getTime() > to.getTime()) throw new DomainError('bad_request', 'invalid_period', 'startDate must not be after endDate');
    if (to.getTime() - from.getTime() > 31 * 24 * 3600_000) throw new DomainError('bad_request', 'period_too_long', 'the period can be at most 31 days');
    const rows = await this.deliveries.outcomesByEndpoint(projectId, endpointIds, idFloor(from), idFloor(new Date(to.getTime() + 1)));
    return rows.map((r) => ({
      uid: r.endpoint_id,
      success_count: r.success,
      failure_count: r.failure,
      retry_count: r.retries,
      period_failure_rate: r.success + r.failure === 0 ? 0 : r.failure / (r.success + r.failure),
    }));
  }

  async attempts(projectId: string, deliveryId: string): Promise<AttemptEntity[]> {
    await this.get(projectId, deliveryId);
    return this.deliveries.listAttempts(projectId, deliveryId);
  }

  async attempt(projectId: string, deliveryId: string, id: string): Promise<AttemptEntity> {
    const a = await this.deliveries.findAttempt(projectId, deliveryId, id);
    if (!a) throw notFound('delivery attempt');
    return a;
  }

  /** One more attempt for a Failure or Discarded delivery. */
  async resend(projectId: string, id: string): Promise<DeliveryEntity> {
    const current = await this.get(projectId, id);
    if (current.status !== 'Failure' && current.status !== 'Discarded') {
      throw new DomainError(
        'bad_request',
        'delivery_not_failed',
        `only Failure or Discarded deliveries can be resent (this one is ${current.status}); use forceresend for Success`,
      );
    }
    this.queue.wake(await this.state.resend(projectId, [id], ['Failure', 'Discarded']));
    return this.get(projectId, id);
  }

  /** Sends successful deliveries again (the receiver asked for a copy). */
  async forceResend(projectId: string, ids: string[]): Promise<{ resent: number; skipped: number }> {
    const rows = await this.state.resend(projectId, ids, ['Success']);
    this.queue.wake(rows);
    return { resent: rows.length, skipped: ids.length - rows.length };
  }

  /** Resends every Failure/Discarded delivery matching the filter (at most 10,000 a call). */
  async batchRetry(projectId: string, f: DeliveryFilter): Promise<{ resent: number }> {
    const ids = await this.deliveries.idsMatching(projectId, { ...f, statuses: ['Failure', 'Discarded'] });
    const rows = await this.state.resend(projectId, ids, ['Failure', 'Discarded']);
    this.queue.wake(rows);
    return { resent: rows.length };
  }
}
