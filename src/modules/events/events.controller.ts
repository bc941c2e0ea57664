import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../common/http/api-envelope.decorator';
import { asHttpHeader } from '../../common/http/http-header';
import { endpointSummary, EndpointsService } from '../endpoints';
import type { EndpointEntity } from '../endpoints';
import { ParsedBody, rawMember } from '../../common/http/json-body';
import { ProjectAccess } from '../auth';
import { SourcePresenter, SourceResponseDto, SourcesService } from '../sources';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import { BaseEventDto, BroadcastEventDto, CountResponseDto, CreateEventDto, DynamicEventDto, EventResponseDto, FanoutEventDto } from './dto/create-event.dto';
import { EventsQueryDto } from './dto/events-query.dto';
import { EventEntity } from './event.entity';
import { parseEventSearch } from './event-search';
import { EventFilter } from './events.repository';
import { EventsService } from './events.service';
import { IngestEvent, IngestResult } from './ingest/ingest-event';
import type { IngestEventCommand, IngestTarget } from './ingest/ingest-event.command';
import { ReadsFromReplica } from '../../../libs/database/replica-reads';

/**
 * `endpoints` are the endpoints the answer can describe (`endpoint_metadata`); ingest answers
 * pass none, so the hot path reads nothing more.
 */
export function toEventResponse(
  e: EventEntity,
  duplicate = false,
  endpoints?: Map<string, EndpointEntity>,
  sources?: Map<string, SourceResponseDto>,
): EventResponseDto {
  return {
    uid: e.id,
    project_id: e.projectId,
    event_type: e.eventType,
    endpoints: e.endpoints,
    source_id: e.sourceId ?? '',
    idempotency_key: e.idempotencyKey ?? '',
    is_duplicate_event: duplicate,
    headers: asHttpHeader(e.headers),
    data: JSON.parse(e.raw) as Record<string, unknown>,
    raw: e.raw,
    url_query_params: e.urlQueryParams,
    url_path: e.urlPath,
    source_metadata: (e.sourceId && sources?.get(e.sourceId)) || null,
    endpoint_metadata: endpoints
      ? e.endpoints.flatMap((id) => {
          const ep = endpoints.get(id);
          return ep ? [endpointSummary(ep)] : [];
        })
      : [],
    status: e.status,
    failure_reason: e.failureReason,
    acknowledged_at: e.acknowledgedAt.toISOString(),
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
    deleted_at: e.deletedAt ? e.deletedAt.toISOString() : null,
  };
}

function ingested(message: string, r: IngestResult): Envelope<EventResponseDto> {
  return ok(r.duplicate ? 'Duplicate event received' : message, toEventResponse(r.event, r.duplicate));
}

/**
 * The API's event bodies as the ingest command; the use case runs every guard. `data` is
 * taken as the producer wrote it (the exact JSON text of the member), so receivers get
 * and verify the same bytes: big integers and keys like `__proto__` survive.
 */
function command(projectId: string, target: IngestTarget, dto: BaseEventDto, parsed: unknown): IngestEventCommand {
  const data = rawMember(parsed, 'data');
  return {
    projectId,
    target,
    eventType: dto.event_type,
    payload: data?.text ?? JSON.stringify(dto.data),
    data: data ? data.value : dto.data,
    customHeaders: dto.custom_headers,
    idempotencyKey: dto.idempotency_key,
  };
}

export function toEventFilter(q: EventsQueryDto): EventFilter {
  return {
    endpointIds: q.endpointId,
    sourceIds: q.sourceId,
    idempotencyKey: q.idempotencyKey,
    brokerMessageId: q.brokerMessageId,
    eventType: q.event_type,
    startDate: q.startDate ? new Date(q.startDate) : undefined,
    endDate: q.endDate ? new Date(q.endDate) : undefined,
    search: parseEventSearch(q.query, q.body),
  };
}

/**
 * Ingest answers 201 only after the event is committed in PostgreSQL; 503 with
 * Retry-After when it could not be.
 */
@ApiTags('Events')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly ingest: IngestEvent,
    private readonly endpoints: EndpointsService,
    private readonly sources: SourcesService,
    private readonly sourcePresenter: SourcePresenter,
  ) {}

  /** The sources of these events (incoming ones), read once for the answer. */
  private async sourcesOf(projectId: string, rows: EventEntity[]): Promise<Map<string, SourceResponseDto>> {
    const ids = rows.flatMap((e) => (e.sourceId ? [e.sourceId] : []));
    if (ids.length === 0) return new Map();
    const found = await this.sources.findManyLive(projectId, ids);
    return new Map(found.map((s) => [s.id, this.sourcePresenter.toResponse(s)]));
  }

  /** The endpoints of these events, read once for the answer. */
  private async endpointsOf(projectId: string, rows: EventEntity[]): Promise<Map<string, EndpointEntity>> {
    const found = await this.endpoints.findManyLive(
      projectId,
      rows.flatMap((e) => e.endpoints),
    );
    return new Map(found.map((e) => [e.id, e]));
  }

  /** Sends an event to one endpoint. */
  @Post()
  @ApiEnvelope(EventResponseDto, { status: 201 })
  async create(@Param('projectID') projectId: string, @Body() body: CreateEventDto, @ParsedBody() parsed: unknown): Promise<Envelope<EventResponseDto>> {
    return ingested(
      'Endpoint event created successfully',
      await this.ingest.execute(command(projectId, { kind: 'endpoint', endpointId: body.endpoint_id }, body, parsed)),
    );
  }

  /** Sends an event to every endpoint with the given owner id. */
  @Post('fanout')
  @ApiEnvelope(EventResponseDto, { status: 201 })
  async fanout(@Param('projectID') projectId: string, @Body() body: FanoutEventDto, @ParsedBody() parsed: unknown): Promise<Envelope<EventResponseDto>> {
    return ingested(
      'Fanout event created successfully',
      await this.ingest.execute(command(projectId, { kind: 'owner', ownerId: body.owner_id }, body, parsed)),
    );
  }

  /** Sends an event to every subscription of its event type. */
  @Post('broadcast')
  @ApiEnvelope(EventResponseDto, { status: 201 })
  async broadcast(@Param('projectID') projectId: string, @Body() body: BroadcastEventDto, @ParsedBody() parsed: unknown): Promise<Envelope<EventResponseDto>> {
    return ingested('Broadcast event created successfully', await this.ingest.execute(command(projectId, { kind: 'broadcast' }, body, parsed)));
  }

  /** Sends an event to a URL; its endpoint and subscription are found or created. */
  @Post('dynamic')
  @ApiEnvelope(EventResponseDto, { status: 201 })
  async dynamic(@Param('projectID') projectId: string, @Body() body: DynamicEventDto, @ParsedBody() parsed: unknown): Promise<Envelope<EventResponseDto>> {
    return ingested(
      'Dynamic event created successfully',
      await this.ingest.execute(command(projectId, { kind: 'dynamic', url: body.url, secret: body.secret, eventTypes: body.event_types }, body, parsed)),
    );
  }

  @ReadsFromReplica()
  @Get()
  @ApiEnvelope(EventResponseDto, { page: true })
  async list(@Param('projectID') projectId: string, @Query() q: EventsQueryDto): Promise<Envelope<Page<EventResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.events.list(projectId, toEventFilter(q), req);
    const [eps, srcs] = await Promise.all([this.endpointsOf(projectId, rows), this.sourcesOf(projectId, rows)]);
    return ok(
      'Events fetched successfully',
      toPage(rows, req, (e) => toEventResponse(e, false, eps, srcs)),
    );
  }

  /** How many events a batch replay with these filters would replay (capped at 10,001). */
  @Get('countbatchreplayevents')
  @ApiEnvelope(CountResponseDto)
  async count(@Param('projectID') projectId: string, @Query() q: EventsQueryDto): Promise<Envelope<CountResponseDto>> {
    return ok('events count successful', { num: await this.events.countForReplay(projectId, toEventFilter(q)) });
  }

  /** Replays every event matching the filters (at most 10,000 per call). */
  @Post('batchreplay')
  @HttpCode(200)
  @ApiEnvelope(String, { description: "Convoy's summary, e.g. `12 successful, 0 failed`" })
  async batchReplay(@Param('projectID') projectId: string, @Query() q: EventsQueryDto): Promise<Envelope<string>> {
    const r = await this.events.batchReplay(projectId, toEventFilter(q));
    return ok(`batch replay successful (at most ${r.limit} events a call)`, `${r.replayed} successful, 0 failed`);
  }

  @ReadsFromReplica()
  @Get(':eventID')
  @ApiEnvelope(EventResponseDto)
  async get(@Param('projectID') projectId: string, @Param('eventID') id: string): Promise<Envelope<EventResponseDto>> {
    const e = await this.events.get(projectId, id);
    const [eps, srcs] = await Promise.all([this.endpointsOf(projectId, [e]), this.sourcesOf(projectId, [e])]);
    return ok('Event fetched successfully', toEventResponse(e, false, eps, srcs));
  }

  /** Sends the event again to its subscriptions as new deliveries, whatever its state. */
  @Put(':eventID/replay')
  @ApiEnvelope(EventResponseDto)
  async replay(@Param('projectID') projectId: string, @Param('eventID') id: string): Promise<Envelope<EventResponseDto>> {
    return ok('Event replayed successfully', toEventResponse(await this.events.replay(projectId, id)));
  }
}
