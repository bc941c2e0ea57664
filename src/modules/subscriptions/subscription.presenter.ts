import { Injectable } from '@nestjs/common';
import { EndpointPresenter, EndpointResponseDto, EndpointsService } from '../endpoints';
import { SourcePresenter, SourceResponseDto, SourcesService } from '../sources';
import { SubscriptionResponseDto } from './dto/subscription.dto';
import { SubscriptionEntity } from './subscription.entity';

/** Maps subscriptions to Convoy's `SubscriptionResponse`, with the endpoint and source nested as `endpoint_metadata` and `source_metadata`. */
@Injectable()
export class SubscriptionPresenter {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly endpointPresenter: EndpointPresenter,
    private readonly sources: SourcesService,
    private readonly sourcePresenter: SourcePresenter,
  ) {}

  async one(s: SubscriptionEntity): Promise<SubscriptionResponseDto> {
    return (await this.mapper(s.projectId, [s]))(s);
  }

  /** Loads the endpoints (and sources) of a page of subscriptions in one query each and returns the row mapper. */
  async mapper(projectId: string, rows: SubscriptionEntity[]): Promise<(s: SubscriptionEntity) => SubscriptionResponseDto> {
    const endpoints = await this.endpoints.findManyLive(
      projectId,
      rows.map((r) => r.endpointId),
    );
    const byId = new Map<string, EndpointResponseDto>(endpoints.map((e) => [e.id, this.endpointPresenter.toResponse(e)]));
    const sourceIds = rows.flatMap((r) => (r.sourceId ? [r.sourceId] : []));
    const sources = sourceIds.length ? await this.sources.findManyLive(projectId, sourceIds) : [];
    const sourceById = new Map<string, SourceResponseDto>(sources.map((x) => [x.id, this.sourcePresenter.toResponse(x)]));
    return (s) => toSubscriptionResponse(s, byId.get(s.endpointId) ?? null, (s.sourceId && sourceById.get(s.sourceId)) || null);
  }
}

export function toSubscriptionResponse(
  s: SubscriptionEntity,
  endpoint: EndpointResponseDto | null,
  source: SourceResponseDto | null = null,
): SubscriptionResponseDto {
  return {
    uid: s.id,
    name: s.name,
    type: s.type,
    project_id: s.projectId,
    endpoint_id: s.endpointId,
    source_id: s.sourceId,
    delivery_mode: s.deliveryMode,
    filter_config: {
      event_types: s.filterConfig.event_types,
      filter: {
        headers: s.filterConfig.filter.headers,
        body: s.filterConfig.filter.body,
        query: s.filterConfig.filter.query ?? {},
        path: s.filterConfig.filter.path ?? {},
        is_flattened: false,
      },
    },
    rate_limit_config: s.rateLimitConfig,
    alert_config: s.alertConfig,
    endpoint_metadata: endpoint,
    source_metadata: source,
    function: s.function,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    deleted_at: s.deletedAt ? s.deletedAt.toISOString() : null,
  };
}
