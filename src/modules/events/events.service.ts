import { Injectable } from '@nestjs/common';
import { DomainError, notFound, unprocessable } from '../../common/errors/domain-error';
import { validateCustomHeaders } from '../../common/http/json-guard';
import { PageRequest } from '../../common/http/pagination.dto';
import { newId } from '../../common/ids';
import { attemptsAllowed } from '../../common/retry-policy';
import { EndpointsService } from '../endpoints';
import { ProjectsService } from '../projects';
import { matchingSubscriptions, SubscriptionsService } from '../subscriptions';
import { BroadcastEventDto, CreateEventDto, DynamicEventDto, FanoutEventDto } from './dto/create-event.dto';
import { EventEntity, EventTarget } from './event.entity';
import { EventWriter, NewEvent, NewEventDelivery } from './event-writer';
import { EventFilter, EventsRepository, MAX_BATCH_REPLAY } from './events.repository';
import { WakeupProducer } from './wakeup.producer';

export interface IngestResult {
  event: EventEntity;
  duplicate: boolean;
}

type AnyEventDto = CreateEventDto | FanoutEventDto | BroadcastEventDto | DynamicEventDto;

/**
 * Ingest use cases. The answer to the producer is sent only after the event and its
 * delivery rows are committed (one group-committed statement); Redis then only wakes the
 * worker. Replays leave the durable `routed_at IS NULL` marker for the worker's router.
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly endpoints: EndpointsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly events: EventsRepository,
    private readonly writer: EventWriter,
    private readonly wakeups: WakeupProducer,
  ) {}

  async createForEndpoint(projectId: string, dto: CreateEventDto): Promise<IngestResult> {
    const endpoint = await this.endpoints.getForDelivery(dto.endpoint_id);
    if (!endpoint || endpoint.projectId !== projectId || endpoint.deletedAt) throw notFound('endpoint');
    return this.ingest(projectId, dto, { kind: 'endpoint' }, [endpoint.id]);
  }

  async fanout(projectId: string, dto: FanoutEventDto): Promise<IngestResult> {
    await this.projects.getCached(projectId);
    const owned = await this.endpoints.findByOwner(projectId, dto.owner_id);
    if (owned.length === 0) throw new DomainError('bad_request', 'no_endpoints_for_owner', 'no endpoint has this owner_id');
    return this.ingest(
      projectId,
      dto,
      { kind: 'fanout', owner_id: dto.owner_id },
      owned.map((e) => e.id),
    );
  }

  broadcast(projectId: string, dto: BroadcastEventDto): Promise<IngestResult> {
    return this.ingest(projectId, dto, { kind: 'broadcast' }, []);
  }

  async dynamic(projectId: string, dto: DynamicEventDto): Promise<IngestResult> {
    await this.projects.getCached(projectId);
    const endpoint = await this.endpoints.findOrCreateByUrl(projectId, dto.url, dto.secret);
    await this.subscriptions.findOrCreateForEndpoint(projectId, endpoint.id, dto.event_types?.length ? dto.event_types : ['*']);
    return this.ingest(projectId, dto, { kind: 'dynamic' }, [endpoint.id]);
  }

  private async ingest(projectId: string, dto: AnyEventDto, target: EventTarget, endpointIds: string[]): Promise<IngestResult> {
    const project = await this.projects.getCached(projectId);
    const problems = validateCustomHeaders(dto.custom_headers ?? {}, project.config.signature.header);
    if (problems.length) throw unprocessable('invalid_custom_headers', problems.join('; '), { errors: problems });
    // stored in lower case so header filters match whatever case the producer used
    const headers = Object.fromEntries(Object.entries(dto.custom_headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const raw = JSON.stringify(dto.data);
    if (Buffer.byteLength(raw) > project.config.max_payload_read_size) {
      throw new DomainError(
        'payload_too_large',
        'payload_too_large',
        `event data is larger than the project's limit of ${project.config.max_payload_read_size} bytes`,
      );
    }
    const idempotencyKey = dto.idempotency_key ?? null;
    // Routed here, not in a worker hop: the subscriptions are cached per process, and the
    // event, its deliveries and its routed marker are written by one statement.
    const subs = await this.subscriptions.forRouting(projectId);
    const matched = matchingSubscriptions(subs, {
      eventType: dto.event_type,
      endpoints: target.kind === 'broadcast' ? undefined : endpointIds,
      body: dto.data,
      headers,
    });
    const retryLimit = attemptsAllowed(project.config.strategy.retry_count);
    const deliveries: NewEventDelivery[] = matched.map((s) => ({
      id: newId(),
      endpointId: s.endpointId,
      subscriptionId: s.id,
      deliveryMode: s.deliveryMode,
      retryLimit: s.deliveryMode === 'at_most_once' ? 1 : retryLimit,
    }));
    const ev: NewEvent = {
      id: newId(),
      projectId,
      eventType: dto.event_type,
      target,
      endpoints: endpointIds,
      idempotencyKey,
      headers,
      raw,
      urlQueryParams: '',
      deliveries,
    };
    // No look-up first: the insert itself loses to an existing key, and only then do we
    // read the original, which keeps the common case at one statement.
    const { inserted } = await this.writer.write(ev);
    if (!inserted && idempotencyKey) {
      const winner = await this.events.findByIdempotencyKey(projectId, idempotencyKey);
      if (winner) return { event: winner, duplicate: true };
    }
    this.wakeups.wakeDeliveries(deliveries);
    const now = new Date();
    return {
      duplicate: false,
      event: {
        id: ev.id,
        projectId,
        eventType: ev.eventType,
        target,
        endpoints: endpointIds,
        idempotencyKey,
        headers,
        raw,
        urlQueryParams: '',
        sourceId: null,
        status: deliveries.length ? 'Processing' : 'Failure',
        failureReason: deliveries.length ? '' : 'no subscription matched the event',
        routeSeq: 0,
        routedAt: now,
        acknowledgedAt: now,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      },
    };
  }

  async get(projectId: string, id: string): Promise<EventEntity> {
    const e = await this.events.findOne(projectId, id);
    if (!e || e.deletedAt) throw notFound('event');
    return e;
  }

  /** For the router: any project. */
  findById(id: string): Promise<EventEntity | null> {
    return this.events.findById(id);
  }

  list(projectId: string, filter: EventFilter, page: PageRequest): Promise<EventEntity[]> {
    return this.events.list(projectId, filter, page);
  }

  countForReplay(projectId: string, filter: EventFilter): Promise<number> {
    return this.events.countUpTo(projectId, filter);
  }

  /** Unlike Convoy, a replay of a finished event is not a no-op: it makes new deliveries. */
  async replay(projectId: string, id: string): Promise<EventEntity> {
    const done = await this.events.markForReplay(projectId, [id]);
    if (done.length === 0) throw notFound('event');
    this.wakeups.wake(done);
    return this.get(projectId, id);
  }

  async batchReplay(projectId: string, filter: EventFilter): Promise<{ replayed: number; limit: number }> {
    const ids = await this.events.idsForReplay(projectId, filter);
    const done = await this.events.markForReplay(projectId, ids);
    this.wakeups.wake(done);
    return { replayed: done.length, limit: MAX_BATCH_REPLAY };
  }

  unrouted(olderThanMs: number, limit: number): Promise<string[]> {
    return this.events.unrouted(olderThanMs, limit);
  }

  markRouted(id: string, routeSeq: number, matched: number): Promise<boolean> {
    return this.events.markRouted(id, routeSeq, matched);
  }

  wakeRouter(ids: string[]): void {
    this.wakeups.wake(ids);
  }
}
