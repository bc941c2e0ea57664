import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../common/http/api-envelope.decorator';
import { ProjectAccess } from '../auth';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import { AttemptEntity } from './attempt.entity';
import { DeliveriesService } from './deliveries.service';
import { DeliveryFilter } from './deliveries.repository';
import { DeliveryEntity } from './delivery.entity';
import { isHeld } from './held';
import { DEFAULT_MAX_RETRY_DELAY_MS } from '../../common/retry-policy';
import { asHttpHeader } from '../../common/http/http-header';
import { endpointSummary, EndpointsService } from '../endpoints';
import type { EndpointEntity } from '../endpoints';
import { EventsService } from '../events';
import type { EventEntity } from '../events';
import { AttemptResponseDto, BatchRetryResponseDto, DeliveriesQueryDto, DeliveryResponseDto, ForceResendResponseDto, IdsDto } from './dto/delivery.dto';
import { ReadsFromReplica } from '../../../libs/database/replica-reads';

/** What the answers of one request know about the deliveries' endpoints and events, read once for the page. */
export interface DeliveryContext {
  strategy?: { type: string; duration: number };
  endpoints: Map<string, EndpointEntity>;
  events: Map<string, EventEntity>;
}

/** What a delivery tells about its event: no payload (a page of deliveries would carry every one). */
function eventSummary(e: EventEntity): Record<string, unknown> {
  return {
    uid: e.id,
    project_id: e.projectId,
    event_type: e.eventType,
    endpoints: e.endpoints,
    source_id: e.sourceId ?? '',
    idempotency_key: e.idempotencyKey ?? '',
    headers: asHttpHeader(e.headers),
    url_query_params: e.urlQueryParams,
    url_path: e.urlPath,
    is_duplicate_event: false,
    status: e.status,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}

export function toDeliveryResponse(d: DeliveryEntity, ctx: DeliveryContext): DeliveryResponseDto {
  const held = isHeld(d.nextAttemptAt);
  const strategy = ctx.strategy;
  const endpoint = ctx.endpoints.get(d.endpointId);
  const event = ctx.events.get(d.eventId);
  return {
    uid: d.id,
    project_id: d.projectId,
    event_id: d.eventId,
    endpoint_id: d.endpointId,
    subscription_id: d.subscriptionId,
    event_type: d.eventType,
    status: d.status,
    delivery_mode: d.deliveryMode,
    headers: asHttpHeader(d.headers),
    metadata: {
      num_trials: d.attempts,
      retry_limit: d.retryLimit,
      strategy: strategy?.type ?? '',
      interval_seconds: strategy?.duration ?? 0,
      next_send_time: d.status === 'Scheduled' || d.status === 'Retry' ? (held ? null : d.nextAttemptAt.toISOString()) : null,
      max_retry_seconds: DEFAULT_MAX_RETRY_DELAY_MS / 1000,
    },
    description: d.description,
    latency_seconds: d.latencyMs === null ? null : d.latencyMs / 1000,
    // Convoy's duration text (Go's time.Duration format)
    latency: d.latencyMs === null ? '' : `${d.latencyMs}ms`,
    target_url: endpoint?.url ?? '',
    idempotency_key: event?.idempotencyKey ?? '',
    url_query_params: event?.urlQueryParams ?? '',
    endpoint_metadata: endpoint ? endpointSummary(endpoint) : null,
    event_metadata: event ? eventSummary(event) : null,
    // Convoy's CLI forwarding, which Caravan does not have
    cli_metadata: null,
    device_id: '',
    device_metadata: null,
    acknowledged_at: d.acknowledgedAt.toISOString(),
    created_at: d.createdAt.toISOString(),
    updated_at: d.updatedAt.toISOString(),
    deleted_at: d.deletedAt ? d.deletedAt.toISOString() : null,
  };
}

export function toAttemptResponse(a: AttemptEntity): AttemptResponseDto {
  return {
    uid: a.id,
    msg_id: a.msgId,
    project_id: a.projectId,
    endpoint_id: a.endpointId,
    url: a.url,
    method: a.method,
    api_version: a.apiVersion,
    ip_address: a.ipAddress,
    request_http_header: a.requestHttpHeader,
    response_http_header: a.responseHttpHeader,
    http_status: a.httpStatus,
    response_data: a.responseData,
    error: a.error,
    error_class: a.errorClass,
    status: a.status,
    duration_ms: a.durationMs,
    requested_at: a.requestedAt.toISOString(),
    responded_at: a.respondedAt ? a.respondedAt.toISOString() : null,
    created_at: a.createdAt.toISOString(),
  };
}

export function toDeliveryFilter(q: DeliveriesQueryDto): DeliveryFilter {
  return {
    endpointIds: q.endpointId,
    eventId: q.eventId,
    subscriptionId: q.subscriptionId,
    statuses: q.status,
    eventType: q.event_type,
    idempotencyKey: q.idempotencyKey,
    startDate: q.startDate ? new Date(q.startDate) : undefined,
    endDate: q.endDate ? new Date(q.endDate) : undefined,
  };
}

@ApiTags('Event deliveries')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/eventdeliveries')
export class DeliveriesController {
  constructor(
    private readonly deliveries: DeliveriesService,
    private readonly endpoints: EndpointsService,
    private readonly events: EventsService,
  ) {}

  /** The endpoints, events and retry strategy the answers about `rows` show, read once (three queries a page). */
  private async context(projectId: string, rows: DeliveryEntity[]): Promise<DeliveryContext> {
    const [strategy, endpoints, events] = await Promise.all([
      this.deliveries.strategyOf(projectId),
      this.endpoints.findManyLive(
        projectId,
        rows.map((r) => r.endpointId),
      ),
      this.events.findMany(
        projectId,
        rows.map((r) => r.eventId),
      ),
    ]);
    return { strategy, endpoints: new Map(endpoints.map((e) => [e.id, e])), events: new Map(events.map((e) => [e.id, e])) };
  }

  private async one(projectId: string, d: DeliveryEntity): Promise<DeliveryResponseDto> {
    return toDeliveryResponse(d, await this.context(projectId, [d]));
  }

  @ReadsFromReplica()
  @Get()
  @ApiEnvelope(DeliveryResponseDto, { page: true })
  async list(@Param('projectID') projectId: string, @Query() q: DeliveriesQueryDto): Promise<Envelope<Page<DeliveryResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.deliveries.list(projectId, toDeliveryFilter(q), req);
    const ctx = await this.context(projectId, rows);
    return ok(
      'Event deliveries fetched successfully',
      toPage(rows, req, (d) => toDeliveryResponse(d, ctx)),
    );
  }

  /** Resends every Failure or Discarded delivery matching the filters (at most 10,000 a call). */
  @Post('batchretry')
  @HttpCode(200)
  @ApiEnvelope(BatchRetryResponseDto)
  async batchRetry(@Param('projectID') projectId: string, @Query() q: DeliveriesQueryDto): Promise<Envelope<BatchRetryResponseDto>> {
    const r = await this.deliveries.batchRetry(projectId, toDeliveryFilter(q));
    return ok(`${r.resent} successful, 0 failed`, r);
  }

  /** Sends Success deliveries again. */
  @Post('forceresend')
  @HttpCode(200)
  @ApiEnvelope(ForceResendResponseDto)
  async forceResend(@Param('projectID') projectId: string, @Body() body: IdsDto): Promise<Envelope<ForceResendResponseDto>> {
    const r = await this.deliveries.forceResend(projectId, body.ids);
    const why = r.skipped ? ' (only deliveries that ended Success can be force-resent; resend the others)' : '';
    return ok(`${r.resent} successful, ${r.skipped} failed${why}`, r);
  }

  @ReadsFromReplica()
  @Get(':eventDeliveryID')
  @ApiEnvelope(DeliveryResponseDto)
  async get(@Param('projectID') projectId: string, @Param('eventDeliveryID') id: string): Promise<Envelope<DeliveryResponseDto>> {
    const d = await this.deliveries.get(projectId, id);
    return ok('Event delivery fetched successfully', toDeliveryResponse(d, await this.context(projectId, [d])));
  }

  /** One more attempt for a Failure or Discarded delivery. */
  @Put(':eventDeliveryID/resend')
  @ApiEnvelope(DeliveryResponseDto)
  async resend(@Param('projectID') projectId: string, @Param('eventDeliveryID') id: string): Promise<Envelope<DeliveryResponseDto>> {
    return ok('App event processed for retry successfully', await this.one(projectId, await this.deliveries.resend(projectId, id)));
  }

  @ReadsFromReplica()
  @Get(':eventDeliveryID/deliveryattempts')
  @ApiEnvelope(AttemptResponseDto, { array: true })
  async attempts(@Param('projectID') projectId: string, @Param('eventDeliveryID') id: string): Promise<Envelope<AttemptResponseDto[]>> {
    return ok('Delivery attempts fetched successfully', (await this.deliveries.attempts(projectId, id)).map(toAttemptResponse));
  }

  @ReadsFromReplica()
  @Get(':eventDeliveryID/deliveryattempts/:deliveryAttemptID')
  @ApiEnvelope(AttemptResponseDto)
  async attempt(
    @Param('projectID') projectId: string,
    @Param('eventDeliveryID') id: string,
    @Param('deliveryAttemptID') attemptId: string,
  ): Promise<Envelope<AttemptResponseDto>> {
    return ok('Delivery attempt fetched successfully', toAttemptResponse(await this.deliveries.attempt(projectId, id, attemptId)));
  }
}
