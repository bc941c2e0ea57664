import { Injectable } from '@nestjs/common';
import { badRequest, notFound } from '../../../common/errors/domain-error';
import { newId } from '../../../common/ids';
import { inSpan } from '../../../../libs/observability/tracing';
import { DeliveryQueue } from '../../delivery-queue';
import { EndpointsService } from '../../endpoints';
import { ProjectsService } from '../../projects';
import { SubscriptionsService } from '../../subscriptions';
import type { EventEntity, EventTarget } from '../event.entity';
import { routedStatus } from '../event-status';
import { EventWriter, NewEvent } from '../event-writer';
import { EventsRepository } from '../events.repository';
import { planDeliveries, queryText, routableEvent } from '../routing/delivery-plan';
import type { IngestEventCommand, IngestTarget } from './ingest-event.command';
import { guardCustomHeaders, guardEventType, guardOptionalKey, guardPayload, MAX_BROKER_MESSAGE_ID_LENGTH, MAX_IDEMPOTENCY_KEY_LENGTH } from './payload-guards';

export interface IngestResult {
  event: EventEntity;
  /** true when an event with the same idempotency key (or broker message of the same source) existed: it is returned, nothing was written */
  duplicate: boolean;
}

interface ResolvedTarget {
  stored: EventTarget;
  endpoints: string[];
  sourceId: string | null;
}

/**
 * The ingest use case. It runs every guard itself, resolves the target, routes the event
 * against the project's subscriptions, and writes the event and its delivery rows in one
 * group-committed statement. It returns only after that commit (the durability contract);
 * Redis then only wakes the worker, and a wake-up lost there is found by the sweeper.
 */
@Injectable()
export class IngestEvent {
  constructor(
    private readonly projects: ProjectsService,
    private readonly endpoints: EndpointsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly events: EventsRepository,
    private readonly writer: EventWriter,
    private readonly deliveryQueue: DeliveryQueue,
  ) {}

  execute(cmd: IngestEventCommand): Promise<IngestResult> {
    return inSpan('caravan.ingest', { attributes: { 'caravan.project_id': cmd.projectId, 'caravan.target': cmd.target.kind } }, async (span) => {
      const r = await this.ingest(cmd);
      span?.setAttributes({ 'caravan.event_id': r.event.id, 'caravan.duplicate': r.duplicate, 'caravan.event_type': r.event.eventType });
      return r;
    });
  }

  private async ingest(cmd: IngestEventCommand): Promise<IngestResult> {
    const project = await this.projects.getCached(cmd.projectId);
    const eventType = guardEventType(cmd.eventType);
    const { raw, data } = guardPayload(cmd.payload, cmd.data, project.config.max_payload_read_size);
    const headers = guardCustomHeaders(cmd.customHeaders, project.config.signature.header);
    const idempotencyKey = guardOptionalKey('idempotency_key', cmd.idempotencyKey, MAX_IDEMPOTENCY_KEY_LENGTH);
    const brokerMessageId = guardOptionalKey('broker_message_id', cmd.brokerMessageId, MAX_BROKER_MESSAGE_ID_LENGTH);
    const target = await this.resolve(project.id, cmd.target);
    if (target.sourceId === null && cmd.sourceId !== undefined) target.sourceId = cmd.sourceId;

    // Routed here, not in a worker hop: the subscriptions are cached per process, and the
    // event, its deliveries and its routed marker are written by one statement.
    let subs = await this.subscriptions.forRouting(project.id);
    // Convoy delivers an event sent to an endpoint that has no subscription, through a catch-all one
    if (cmd.target.kind === 'endpoint' || cmd.target.kind === 'owner')
      subs = await this.subscriptions.subscribeUnsubscribed(project.id, target.endpoints, subs);
    const filterHeaders = cmd.requestHeaders ? { ...lowerCased(cmd.requestHeaders), ...headers } : headers;
    const routable = routableEvent({ eventType, target: target.stored, endpoints: target.endpoints, sourceId: target.sourceId, headers: filterHeaders }, data, {
      query: cmd.requestQuery,
      path: cmd.requestPath,
    });
    const deliveries = planDeliveries(subs, routable, project.config.strategy.retry_count);
    const ev: NewEvent = {
      id: newId(),
      projectId: project.id,
      eventType,
      target: target.stored,
      // a broadcast or incoming event records the endpoints it matched, as Convoy does, so
      // filtering, counting and batch replay by endpoint find it
      endpoints: target.stored.kind === 'broadcast' || target.stored.kind === 'source' ? [...new Set(deliveries.map((d) => d.endpointId))] : target.endpoints,
      sourceId: target.sourceId,
      idempotencyKey,
      brokerMessageId,
      headers,
      raw,
      // kept as Convoy keeps it, so a replay's query filters see the same parameters
      urlQueryParams: queryText(cmd.requestQuery),
      urlPath: cmd.requestPath ?? '',
      deliveries,
    };
    // No look-up first: the insert itself loses to an existing key, and only then do we
    // read the original, which keeps the common case at one statement.
    const { inserted, at } = await this.writer.write(ev);
    if (!inserted) {
      // a redelivered broker message is the event it became the first time
      const winner =
        (brokerMessageId && target.sourceId ? await this.events.findByBrokerMessage(project.id, target.sourceId, brokerMessageId) : null) ??
        (idempotencyKey ? await this.events.findByIdempotencyKey(project.id, idempotencyKey) : null);
      if (winner) return { event: winner, duplicate: true };
    }
    this.deliveryQueue.wake(deliveries.map((d) => ({ id: d.id, generation: 0, endpoint_id: d.endpointId, project_id: project.id, attempts: 0 })));
    return { duplicate: false, event: asStored(ev, at) };
  }

  private async resolve(projectId: string, t: IngestTarget): Promise<ResolvedTarget> {
    switch (t.kind) {
      case 'endpoint': {
        const endpoint = await this.endpoints.getForDelivery(t.endpointId);
        if (!endpoint || endpoint.projectId !== projectId || endpoint.deletedAt) throw notFound('endpoint');
        return { stored: { kind: 'endpoint' }, endpoints: [endpoint.id], sourceId: null };
      }
      case 'owner': {
        const owned = await this.endpoints.findByOwner(projectId, t.ownerId);
        if (owned.length === 0) throw badRequest('no_endpoints_for_owner', 'no endpoint has this owner_id');
        return { stored: { kind: 'fanout', owner_id: t.ownerId }, endpoints: owned.map((e) => e.id), sourceId: null };
      }
      case 'broadcast':
        return { stored: { kind: 'broadcast' }, endpoints: [], sourceId: null };
      case 'dynamic': {
        const endpoint = await this.endpoints.findOrCreateByUrl(projectId, t.url, t.secret);
        await this.subscriptions.findOrCreateForEndpoint(projectId, endpoint.id, t.eventTypes?.length ? t.eventTypes : ['*']);
        return { stored: { kind: 'dynamic' }, endpoints: [endpoint.id], sourceId: null };
      }
      case 'source':
        return { stored: { kind: 'source' }, endpoints: [], sourceId: t.sourceId };
    }
  }
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The row the writer just committed, as a read would return it (no read-back on the hot path). */
function asStored(ev: NewEvent, now: Date): EventEntity {
  const { status, failureReason } = routedStatus(ev.deliveries.length);
  return {
    id: ev.id,
    projectId: ev.projectId,
    eventType: ev.eventType,
    target: ev.target,
    endpoints: ev.endpoints,
    sourceId: ev.sourceId,
    idempotencyKey: ev.idempotencyKey,
    brokerMessageId: ev.brokerMessageId,
    headers: ev.headers,
    raw: ev.raw,
    urlQueryParams: ev.urlQueryParams,
    urlPath: ev.urlPath,
    status,
    failureReason,
    routeSeq: 0,
    routedAt: now,
    acknowledgedAt: now,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
}
