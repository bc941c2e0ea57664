import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { conflict, limitReached, notFound, unprocessable } from '../../common/errors/domain-error';
import { PageRequest } from '../../common/http/pagination.dto';
import { narrowed } from '../../common/scope';
import { newId } from '../../common/ids';
import { EndpointEvents, EndpointsService } from '../endpoints';
import type { EndpointEntity } from '../endpoints';
import { functionError, FunctionFailure, FunctionSandbox } from '../functions';
import { ProjectEntity, ProjectsService } from '../projects';
import { SourceEvents, SourcesService } from '../sources';
import { CreateSubscriptionDto, ListSubscriptionsQueryDto, TestFilterDto, UpdateSubscriptionDto } from './dto/subscription.dto';
import { normaliseFilterConfig, widenedEventTypes } from './filter-config';
import { matchBudget } from './filter/filter-engine';
import { checkScopes, MAX_FILTERS_PER_SUBSCRIPTION, toEventFilter } from './filters/filter-rows';
import { SubscriptionFiltersRepository } from './filters/subscription-filters.repository';
import { passesScopes } from './routing';
import type { EventFilter, RoutingSubscription } from './routing';
import { FilterConfig, SubscriptionEntity } from './subscription.entity';
import { SubscriptionRoutingCache } from './subscription-routing.cache';
import { SubscriptionsRepository } from './subscriptions.repository';

@Injectable()
export class SubscriptionsService implements OnModuleInit, OnModuleDestroy {
  private unregister: (() => void)[] = [];

  constructor(
    private readonly subscriptions: SubscriptionsRepository,
    private readonly filters: SubscriptionFiltersRepository,
    private readonly routingCache: SubscriptionRoutingCache,
    private readonly projects: ProjectsService,
    private readonly endpoints: EndpointsService,
    private readonly endpointEvents: EndpointEvents,
    private readonly sources: SourcesService,
    private readonly sourceEvents: SourceEvents,
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly sandbox: FunctionSandbox,
  ) {}

  /**
   * A deleted endpoint or source takes its subscriptions with it (Convoy cascades both), and
   * a deleted project its filter rows, in the same transaction.
   */
  onModuleInit(): void {
    this.unregister = [
      this.endpointEvents.onDeleting(async (tx, endpointId) => {
        await this.subscriptions.softDeleteForEndpoint(tx, endpointId);
        this.routingCache.clear();
      }),
      this.sourceEvents.onDeleting(async (tx, sourceId) => {
        await this.subscriptions.softDeleteForSource(tx, sourceId);
        this.routingCache.clear();
      }),
      this.projects.onDeleting(async (tx, projectId) => {
        await this.subscriptions.deleteFiltersOfProject(tx, projectId);
        this.routingCache.clear(projectId);
      }),
    ];
  }

  onModuleDestroy(): void {
    for (const u of this.unregister) u();
  }

  async create(projectId: string, dto: CreateSubscriptionDto): Promise<SubscriptionEntity> {
    const project = await this.projects.get(projectId);
    rejectUnsupported(dto);
    const endpoint = await this.endpoints.getLive(projectId, dto.endpoint_id);
    const sourceId = await this.checkSource(project, dto.source_id, true);
    const transform = dto.function ? await this.checkedFunction(projectId, dto.function) : null;
    if ((await this.subscriptions.countLive(projectId)) >= this.config.projectMaxSubscriptions)
      throw limitReached('subscriptions', this.config.projectMaxSubscriptions);
    const now = new Date();
    const row: SubscriptionEntity = {
      id: newId(),
      projectId,
      endpointId: endpoint.id,
      sourceId,
      name: dto.name,
      type: 'api',
      deliveryMode: dto.delivery_mode ?? 'at_least_once',
      filterConfig: withinFilterLimit(normaliseFilterConfig(dto.filter_config)),
      rateLimitConfig: dto.rate_limit_config ?? null,
      alertConfig: dto.alert_config ?? null,
      function: transform,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    if ((await this.subscriptions.insert(row, onePerEndpoint(project))) === 'endpoint_taken') throw endpointTaken();
    this.routingCache.clear(projectId);
    return row;
  }

  async list(projectId: string, query: ListSubscriptionsQueryDto, page: PageRequest): Promise<SubscriptionEntity[]> {
    await this.projects.getCached(projectId);
    return this.subscriptions.list(projectId, { endpointIds: query.endpointId, name: query.name }, page, query.sort ?? 'DESC');
  }

  /** The subscriptions of the endpoints in `scope` only (a portal link's); the query's endpoints narrow it. */
  async listForEndpoints(projectId: string, scope: string[], query: ListSubscriptionsQueryDto, page: PageRequest): Promise<SubscriptionEntity[]> {
    const endpointIds = narrowed(scope, query.endpointId);
    if (endpointIds.length === 0) return [];
    await this.projects.getCached(projectId);
    return this.subscriptions.list(projectId, { endpointIds, name: query.name }, page, query.sort ?? 'DESC');
  }

  /** A subscription of an endpoint in `scope`, or 404 as if it did not exist. */
  async getForEndpoints(projectId: string, scope: string[], id: string): Promise<SubscriptionEntity> {
    const s = await this.get(projectId, id);
    if (!scope.includes(s.endpointId)) throw notFound('subscription');
    return s;
  }

  async get(projectId: string, id: string): Promise<SubscriptionEntity> {
    await this.projects.getCached(projectId);
    const row = await this.subscriptions.findLive(projectId, id);
    if (!row) throw notFound('subscription');
    return row;
  }

  async update(projectId: string, id: string, dto: UpdateSubscriptionDto): Promise<SubscriptionEntity> {
    const project = await this.projects.get(projectId);
    rejectUnsupported(dto);
    const patch: Partial<SubscriptionEntity> = {};
    if (dto.name !== undefined) patch.name = dto.name;
    if (dto.endpoint_id !== undefined) patch.endpointId = (await this.endpoints.getLive(projectId, dto.endpoint_id)).id;
    // Convoy asks for the source again when an incoming subscription moves to another endpoint
    if (dto.source_id !== undefined || (dto.endpoint_id !== undefined && project.type === 'incoming'))
      patch.sourceId = await this.checkSource(project, dto.source_id, dto.endpoint_id !== undefined);
    if (dto.delivery_mode !== undefined) patch.deliveryMode = dto.delivery_mode;
    if (dto.filter_config !== undefined) patch.filterConfig = withinFilterLimit(normaliseFilterConfig(dto.filter_config));
    if (dto.rate_limit_config !== undefined) patch.rateLimitConfig = dto.rate_limit_config;
    if (dto.alert_config !== undefined) patch.alertConfig = dto.alert_config;
    // Convoy's SDKs always send `function`, empty when untouched: only null removes it
    if (dto.function === null) patch.function = null;
    else if (dto.function) patch.function = await this.checkedFunction(projectId, dto.function);
    const res = await this.subscriptions.update(projectId, id, () => patch, onePerEndpoint(project));
    if (res === null) throw notFound('subscription');
    if (res === 'endpoint_taken') throw endpointTaken();
    this.routingCache.clear(projectId);
    return res;
  }

  /**
   * A subscription's source must be a live source of the same project; an incoming
   * project's subscription needs one (`required`), as Convoy asks.
   */
  private async checkSource(project: ProjectEntity, sourceId: string | undefined, required: boolean): Promise<string | null> {
    if (sourceId === undefined || sourceId === '') {
      if (required && project.type === 'incoming')
        throw unprocessable('source_required', 'source_id is required for incoming projects', { field: 'source_id' });
      return null;
    }
    if (!(await this.sources.exists(project.id, sourceId))) throw notFound('source');
    return sourceId;
  }

  async delete(projectId: string, id: string): Promise<void> {
    await this.projects.get(projectId);
    if (!(await this.subscriptions.softDelete(projectId, id))) throw notFound('subscription');
    this.routingCache.clear(projectId);
  }

  /** A function is saved only if it runs: it compiles, its top level ends in time, it defines `transform`. */
  private async checkedFunction(projectId: string, source: string): Promise<string> {
    try {
      await this.sandbox.check(source, projectId);
    } catch (e) {
      if (e instanceof FunctionFailure) throw functionError(e, 'function');
      throw e;
    }
    return source;
  }

  /** Convoy's test_filter: whether the sample request matches the body, header, query and path filters of `schema`. */
  testFilter(dto: TestFilterDto): boolean {
    const { schema, request } = dto;
    const { scopes, problems } = checkScopes(
      { body: schema.body, headers: schema.headers ?? schema.header, query: schema.query, path: schema.path },
      'schema.',
    );
    if (problems.length > 0) throw unprocessable('invalid_filter', problems.join('; '), { errors: problems });
    const headers = request.headers ?? request.header ?? {};
    const budget = matchBudget();
    const matched = passesScopes(
      { enabled: true, headers: scopes.headers ?? {}, body: scopes.body ?? {}, query: scopes.query ?? {}, path: scopes.path ?? {} },
      {
        body: request.body ?? {},
        headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
        query: request.query ?? {},
        path: request.path ?? {},
      },
      budget,
    );
    if (budget.remaining < 0) {
      throw unprocessable('filter_too_expensive', 'the filter needs more work on this request than one event may take; routing would treat it as no match');
    }
    return matched;
  }

  /** Every live subscription of the project with its filter rows, at most a couple of seconds stale. */
  async forRouting(projectId: string): Promise<RoutingSubscription[]> {
    const hit = this.routingCache.get(projectId);
    if (hit) return hit;
    const now = Date.now();
    const [subs, rows] = await Promise.all([this.subscriptions.listLive(projectId), this.filters.listForProject(projectId)]);
    const bySub = new Map<string, Map<string, EventFilter>>();
    for (const r of rows) {
      let m = bySub.get(r.subscriptionId);
      if (!m) bySub.set(r.subscriptionId, (m = new Map<string, EventFilter>()));
      m.set(r.eventType, toEventFilter(r));
    }
    const routing = subs.map((s) => Object.assign(s, { filters: bySub.get(s.id) ?? NO_FILTERS }));
    this.routingCache.set(projectId, routing, now);
    return routing;
  }

  /**
   * For dynamic events, as Convoy does: the endpoint's subscription, widened to the
   * event types when it does not cover them, or a new one.
   */
  async findOrCreateForEndpoint(projectId: string, endpointId: string, eventTypes: string[]): Promise<SubscriptionEntity> {
    const endpoint = await this.endpoints.getLive(projectId, endpointId);
    const wanted = eventTypes.length > 0 ? [...new Set(eventTypes)] : ['*'];
    const row = await this.subscriptions.findOrCreateForEndpoint(
      projectId,
      endpoint.id,
      (found) => {
        const widened = widenedEventTypes(found.filterConfig.event_types, wanted);
        return widened ? { filterConfig: { ...found.filterConfig, event_types: widened } } : null;
      },
      () => gatewaySubscription(projectId, endpoint, wanted),
    );
    this.routingCache.clear(projectId);
    return row;
  }

  /**
   * Convoy's rule for events sent to an endpoint: one that has no subscription gets a
   * catch-all one (`<endpoint name>-subscription`, every event type) so the event is
   * delivered. Returns the project's routing list, fresh when something was created.
   */
  async subscribeUnsubscribed(projectId: string, endpointIds: readonly string[], subs: RoutingSubscription[]): Promise<RoutingSubscription[]> {
    const have = subscribedEndpoints(subs);
    const missing = endpointIds.filter((id) => !have.has(id));
    if (missing.length === 0) return subs;
    for (const endpointId of missing) {
      const endpoint = await this.endpoints.getLive(projectId, endpointId);
      await this.subscriptions.findOrCreateForEndpoint(
        projectId,
        endpoint.id,
        () => null,
        () => gatewaySubscription(projectId, endpoint, ['*']),
      );
    }
    this.routingCache.clear(projectId);
    return this.forRouting(projectId);
  }
}

/** A subscription the gateway makes for an endpoint (dynamic events, Convoy's catch-all), named as Convoy names it. */
function gatewaySubscription(projectId: string, endpoint: EndpointEntity, eventTypes: string[]): SubscriptionEntity {
  const now = new Date();
  return {
    id: newId(),
    projectId,
    endpointId: endpoint.id,
    sourceId: null,
    name: `${endpoint.name.slice(0, 180)}-subscription`,
    type: 'api',
    deliveryMode: 'at_least_once',
    filterConfig: { event_types: eventTypes, filter: { headers: {}, body: {}, query: {}, path: {} } },
    rateLimitConfig: null,
    alertConfig: null,
    function: null,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
}

/** Which endpoints have a live subscription, per routing snapshot (computed once per cached list). */
const subscribedCache = new WeakMap<readonly RoutingSubscription[], Set<string>>();
function subscribedEndpoints(subs: readonly RoutingSubscription[]): Set<string> {
  let set = subscribedCache.get(subs);
  if (!set) subscribedCache.set(subs, (set = new Set(subs.map((s) => s.endpointId))));
  return set;
}

const NO_FILTERS: ReadonlyMap<string, EventFilter> = new Map();

/** A filter_config becomes one filter row per event type, within the per-subscription limit. */
function withinFilterLimit(c: FilterConfig): FilterConfig {
  if (c.event_types.length > MAX_FILTERS_PER_SUBSCRIPTION) {
    throw unprocessable('invalid_filter', `filter_config.event_types: at most ${MAX_FILTERS_PER_SUBSCRIPTION} event types`);
  }
  return c;
}

/** Convoy holds only outgoing projects to one subscription per endpoint: an incoming endpoint may take several sources. */
function onePerEndpoint(project: ProjectEntity): boolean {
  return project.type === 'outgoing' && !project.config.multiple_endpoint_subscriptions;
}

function endpointTaken() {
  return conflict('subscription_exists', 'this endpoint already has a subscription; enable multiple_endpoint_subscriptions in the project config to add more');
}

/** Convoy features Caravan does not run: refused loudly rather than stored and ignored. */
function rejectUnsupported(dto: CreateSubscriptionDto | UpdateSubscriptionDto): void {
  if ('retry_config' in dto && dto.retry_config) {
    throw unprocessable('unsupported_retry_config', "per-subscription retry_config is not supported; the project's retry strategy applies");
  }
}
