import { Injectable } from '@nestjs/common';
import { DomainError, notFound, unprocessable } from '../../common/errors/domain-error';
import { validateCustomHeaders } from '../../common/http/json-guard';
import { PageRequest } from '../../common/http/pagination.dto';
import { newId } from '../../common/ids';
import { EndpointsService } from '../endpoints';
import { ProjectsService } from '../projects';
import { SubscriptionsService } from '../subscriptions';
import { BroadcastEventDto, CreateEventDto, DynamicEventDto, FanoutEventDto } from './dto/create-event.dto';
import { EventEntity, EventTarget } from './event.entity';
import { EventWriter, NewEvent } from './event-writer';
import { EventFilter, EventsRepository, MAX_BATCH_REPLAY } from './events.repository';
import { RoutingProducer } from './routing.producer';

export interface IngestResult {
  event: EventEntity;
  duplicate: boolean;
}

type AnyEventDto = CreateEventDto | FanoutEventDto | BroadcastEventDto | DynamicEventDto;

/**
 * Ingest use cases. The answer to the producer is sent only after the event row is
 * committed; routing to subscriptions happens afterwards in the worker, driven by the
 * durable `routed_at IS NULL` marker (see the durability contract).
 */
@Injectable()
export class EventsService {
  constructor(
    private readonly projects: ProjectsService,
    private readonly endpoints: EndpointsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly events: EventsRepository,
    private readonly writer: EventWriter,
    private readonly routing: RoutingProducer,
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
    return this.ingest(projectId, dto, { kind: 'fanout', owner_id: dto.owner_id }, owned.map((e) => e.id));
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
      throw new DomainError('payload_too_large', 'payload_too_large', `event data is larger than the project's limit of ${project.config.max_payload_read_size} bytes`);
    }
    const idempotencyKey = dto.idempotency_key ?? null;
    const ev: NewEvent = { id: newId(), projectId, eventType: dto.event_type, target, endpoints: endpointIds, idempotencyKey, headers, raw, urlQueryParams: '' };
    // No look-up first: the insert itself loses to an existing key, and only then do we
    // read the original, which keeps the common case at one statement.
    const inserted = await this.writer.write(ev);
    if (!inserted && idempotencyKey) {
      const winner = await this.events.findByIdempotencyKey(projectId, idempotencyKey);
      if (winner) return { event: winner, duplicate: true };
    }
    this.routing.wake([ev.id]);
    const now = new Date();
    return {
      duplicate: false,
      event: {
        ...ev,
        sourceId: null,
        status: 'Pending',
        failureReason: '',
        routeSeq: 0,
        routedAt: null,
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
    this.routing.wake(done);
    return this.get(projectId, id);
  }

  async batchReplay(projectId: string, filter: EventFilter): Promise<{ replayed: number; limit: number }> {
    const ids = await this.events.idsForReplay(projectId, filter);
    const done = await this.events.markForReplay(projectId, ids);
    this.routing.wake(done);
    return { replayed: done.length, limit: MAX_BATCH_REPLAY };
  }

  unrouted(olderThanMs: number, limit: number): Promise<string[]> {
    return this.events.unrouted(olderThanMs, limit);
  }

  markRouted(id: string, routeSeq: number, matched: number): Promise<boolean> {
    return this.events.markRouted(id, routeSeq, matched);
  }

  wakeRouter(ids: string[]): void {
    this.routing.wake(ids);
  }
}
