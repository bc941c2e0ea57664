import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { notFound } from '../../common/errors/domain-error';
import { PageRequest } from '../../common/http/pagination.dto';
import { newId } from '../../common/ids';
import { endpointSummary, EndpointChange, EndpointEvents, EndpointsService, isAutoDisableReason } from '../endpoints';
import { ProjectsService } from '../projects';
import { MetaEventAttempt, MetaEventRow, MetaEventsRepository, MetaEventStatus } from './meta-events.repository';

/** Convoy's meta event types. */
export const META_EVENT_TYPES = [
  'endpoint.created',
  'endpoint.updated',
  'endpoint.deleted',
  'endpoint.disabled',
  'eventdelivery.success',
  'eventdelivery.failed',
] as const;
export type MetaEventType = (typeof META_EVENT_TYPES)[number];

/**
 * Records meta events for projects that enabled them and subscribed to the type. They are
 * stored in PostgreSQL first and sent by the worker, so a crash never loses one; emitting
 * is best effort for the caller (a failure is logged, never thrown into its request).
 */
@Injectable()
export class MetaEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MetaEventsService.name);
  private unsubscribe?: () => void;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly repo: MetaEventsRepository,
    private readonly projects: ProjectsService,
    private readonly endpoints: EndpointsService,
    private readonly endpointEvents: EndpointEvents,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.endpointEvents.subscribe((change) => this.onEndpointChange(change));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Stores a meta event if the project wants this type; returns whether it did. */
  async emit(projectId: string, type: MetaEventType, data: unknown): Promise<boolean> {
    try {
      const project = await this.projects.getCached(projectId);
      const cfg = project.config.meta_event;
      if (!cfg.is_enabled || !cfg.url || !cfg.event_type.includes(type)) return false;
      await this.repo.insert({ id: newId(), projectId, eventType: type, payload: { event_type: type, data }, retryLimit: this.config.metaEventRetryLimit });
      return true;
    } catch (e) {
      this.logger.warn({ projectId, type, err: (e as Error).message }, 'could not record a meta event');
      return false;
    }
  }

  list(projectId: string, page: PageRequest, range: { start?: Date; end?: Date }): Promise<MetaEventRow[]> {
    return this.repo.list(projectId, page, range);
  }

  async get(projectId: string, id: string): Promise<MetaEventRow> {
    await this.projects.getCached(projectId);
    const row = await this.repo.findOne(projectId, id);
    if (!row) throw notFound('meta event');
    return row;
  }

  async resend(projectId: string, id: string): Promise<MetaEventRow> {
    await this.get(projectId, id);
    await this.repo.resend(projectId, id);
    return this.get(projectId, id);
  }

  /** For the worker's sender: due meta events, leased to `owner`. */
  claimDue(owner: string, leaseMs: number, limit: number): Promise<MetaEventRow[]> {
    return this.repo.claimDue(owner, leaseMs, limit);
  }

  recordAttempt(id: string, owner: string, status: MetaEventStatus, nextAttemptAt: Date | null, attempt: MetaEventAttempt): Promise<void> {
    return this.repo.recordAttempt(id, owner, status, nextAttemptAt, attempt);
  }

  recoverExpiredLeases(limit: number): Promise<number> {
    return this.repo.recoverExpiredLeases(limit);
  }

  private async onEndpointChange(change: EndpointChange): Promise<void> {
    let type: MetaEventType | undefined;
    if (change.type === 'endpoint.created' || change.type === 'endpoint.updated' || change.type === 'endpoint.deleted') type = change.type;
    else if (change.type === 'endpoint.status_changed' && change.to === 'inactive' && isAutoDisableReason(change.reason)) type = 'endpoint.disabled';
    if (!type) return;
    const endpoint = await this.endpoints.getLive(change.projectId, change.endpointId).catch(() => null);
    const data = endpoint ? endpointSummary(endpoint) : { uid: change.endpointId, project_id: change.projectId };
    if (type === 'endpoint.disabled') Object.assign(data, { reason: change.reason });
    await this.emit(change.projectId, type, data);
  }
}
