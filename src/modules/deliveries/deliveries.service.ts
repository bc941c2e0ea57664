import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { PageRequest } from '../../common/http/pagination.dto';
import { DeliveryQueue } from '../delivery-queue';
import { EndpointEvents } from '../endpoints';
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
