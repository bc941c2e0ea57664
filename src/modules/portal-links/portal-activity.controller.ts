import { Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import {
  AttemptResponseDto,
  BatchRetryResponseDto,
  DeliveriesService,
  DeliveryResponseDto,
  toAttemptResponse,
  toDeliveryFilter,
  toDeliveryResponse,
} from '../deliveries';
import type { DeliveryContext } from '../deliveries';
import { EndpointsService } from '../endpoints';
import type { EndpointEntity } from '../endpoints';
import { EventResponseDto, EventsService, toEventFilter, toEventResponse } from '../events';
import type { EventEntity } from '../events';
import { PortalDeliveriesQueryDto, PortalEventsQueryDto } from './dto/portal-query.dto';
import { PortalApi, Session } from './portal-auth.guard';
import type { PortalSession } from './portal-links.service';

type DeliveryRow = Parameters<typeof toDeliveryResponse>[0];

/**
 * What was sent to the link owner's endpoints: events with a delivery to one of them, and
 * those deliveries. The scope is the owner's live endpoints, read on each request; an id
 * outside it answers 404 as if it did not exist, and answers name no other owner's endpoint.
 */
@ApiTags('Portal API')
@PortalApi()
@Controller('portal-api')
export class PortalActivityController {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly events: EventsService,
    private readonly deliveries: DeliveriesService,
  ) {}

  private scope(s: PortalSession): Promise<string[]> {
    return this.endpoints.idsOfOwner(s.link.projectId, s.link.ownerId);
  }

  private async ownedEndpoints(s: PortalSession, scope: string[]): Promise<Map<string, EndpointEntity>> {
    return new Map((await this.endpoints.findManyLive(s.link.projectId, scope)).map((e) => [e.id, e]));
  }

  private eventAnswer(e: EventEntity, owned: Map<string, EndpointEntity>): EventResponseDto {
    const mine = { ...e, endpoints: e.endpoints.filter((id) => owned.has(id)) };
    return toEventResponse(mine, false, owned);
  }

  @Get('events')
  @ApiEnvelope(EventResponseDto, { page: true })
  async listEvents(@Session() s: PortalSession, @Query() q: PortalEventsQueryDto): Promise<Envelope<Page<EventResponseDto>>> {
    const req = toPageRequest(q);
    const scope = await this.scope(s);
    const rows = await this.events.listForEndpoints(s.link.projectId, scope, toEventFilter(q), req);
    const owned = await this.ownedEndpoints(s, scope);
    return ok(
      'Events fetched successfully',
      toPage(rows, req, (e) => this.eventAnswer(e, owned)),
    );
  }

  @Get('events/:eventID')
  @ApiEnvelope(EventResponseDto)
  async getEvent(@Session() s: PortalSession, @Param('eventID') id: string): Promise<Envelope<EventResponseDto>> {
    const scope = await this.scope(s);
    const e = await this.events.getForEndpoints(s.link.projectId, scope, id);
    return ok('Event fetched successfully', this.eventAnswer(e, await this.ownedEndpoints(s, scope)));
  }

  /** The endpoints, events and retry strategy the answers about `rows` show, read once. */
  private async context(s: PortalSession, rows: DeliveryRow[]): Promise<DeliveryContext & { owned: Set<string> }> {
    const projectId = s.link.projectId;
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
    const owned = new Set(endpoints.filter((e) => e.ownerId === s.link.ownerId).map((e) => e.id));
    return {
      strategy,
      owned,
      endpoints: new Map(endpoints.filter((e) => owned.has(e.id)).map((e) => [e.id, e])),
      events: new Map(events.map((e) => [e.id, e])),
    };
  }

  private deliveryAnswer(d: DeliveryRow, ctx: DeliveryContext & { owned: Set<string> }): DeliveryResponseDto {
    const out = toDeliveryResponse(d, ctx);
    if (out.event_metadata && Array.isArray(out.event_metadata.endpoints)) {
      out.event_metadata = { ...out.event_metadata, endpoints: (out.event_metadata.endpoints as string[]).filter((id) => ctx.owned.has(id)) };
    }
    return out;
  }

  @Get('eventdeliveries')
  @ApiEnvelope(DeliveryResponseDto, { page: true })
  async listDeliveries(@Session() s: PortalSession, @Query() q: PortalDeliveriesQueryDto): Promise<Envelope<Page<DeliveryResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.deliveries.listForEndpoints(s.link.projectId, await this.scope(s), toDeliveryFilter(q), req);
    const ctx = await this.context(s, rows);
    return ok(
      'Event deliveries fetched successfully',
      toPage(rows, req, (d) => this.deliveryAnswer(d, ctx)),
    );
  }

  /** Resends every Failure or Discarded delivery to the owner's endpoints matching the filters (at most 10,000 a call). */
  @Post('eventdeliveries/batchretry')
  @HttpCode(200)
  @ApiEnvelope(BatchRetryResponseDto)
  async batchRetry(@Session() s: PortalSession, @Query() q: PortalDeliveriesQueryDto): Promise<Envelope<BatchRetryResponseDto>> {
    const r = await this.deliveries.batchRetryForEndpoints(s.link.projectId, await this.scope(s), toDeliveryFilter(q));
    return ok(`${r.resent} successful, 0 failed`, r);
  }

  @Get('eventdeliveries/:eventDeliveryID')
  @ApiEnvelope(DeliveryResponseDto)
  async getDelivery(@Session() s: PortalSession, @Param('eventDeliveryID') id: string): Promise<Envelope<DeliveryResponseDto>> {
    const d = await this.deliveries.getForEndpoints(s.link.projectId, await this.scope(s), id);
    return ok('Event delivery fetched successfully', this.deliveryAnswer(d, await this.context(s, [d])));
  }

  /** One more attempt for a Failure or Discarded delivery. */
  @Put('eventdeliveries/:eventDeliveryID/resend')
  @ApiEnvelope(DeliveryResponseDto)
  async resend(@Session() s: PortalSession, @Param('eventDeliveryID') id: string): Promise<Envelope<DeliveryResponseDto>> {
    const d = await this.deliveries.resendForEndpoints(s.link.projectId, await this.scope(s), id);
    return ok('App event processed for retry successfully', this.deliveryAnswer(d, await this.context(s, [d])));
  }

  @Get('eventdeliveries/:eventDeliveryID/deliveryattempts')
  @ApiEnvelope(AttemptResponseDto, { array: true })
  async attempts(@Session() s: PortalSession, @Param('eventDeliveryID') id: string): Promise<Envelope<AttemptResponseDto[]>> {
    const rows = await this.deliveries.attemptsForEndpoints(s.link.projectId, await this.scope(s), id);
    return ok('Delivery attempts fetched successfully', rows.map(toAttemptResponse));
  }

  @Get('eventdeliveries/:eventDeliveryID/deliveryattempts/:deliveryAttemptID')
  @ApiEnvelope(AttemptResponseDto)
  async attempt(
    @Session() s: PortalSession,
    @Param('eventDeliveryID') id: string,
    @Param('deliveryAttemptID') attemptId: string,
  ): Promise<Envelope<AttemptResponseDto>> {
    const a = await this.deliveries.attemptForEndpoints(s.link.projectId, await this.scope(s), id, attemptId);
    return ok('Delivery attempt fetched successfully', toAttemptResponse(a));
  }
}
