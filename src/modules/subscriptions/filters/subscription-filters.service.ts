import { Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { badRequest, DomainError, notFound, unprocessable } from '../../../common/errors/domain-error';
import { newId } from '../../../common/ids';
import { validationExceptionFactory } from '../../../common/http/validation';
import { ProjectsService } from '../../projects';
import { matchBudget } from '../filter/filter-engine';
import { filterFor, passesScopes } from '../routing';
import { SubscriptionsRepository } from '../subscriptions.repository';
import { SubscriptionRoutingCache } from '../subscription-routing.cache';
import { BulkUpdateFilterDto, CreateFilterDto, TestSubscriptionFilterDto, UpdateFilterDto } from './filter.dto';
import { checkScopes, FilterScopes, MAX_FILTERS_PER_SUBSCRIPTION, toEventFilter } from './filter-rows';
import type { SubscriptionFilterEntity } from './subscription-filter.entity';
import { FilterWrite, SubscriptionFiltersRepository } from './subscription-filters.repository';

/** Items one bulk request may carry: every filter a subscription may have. */
const MAX_BULK_ITEMS = MAX_FILTERS_PER_SUBSCRIPTION;

/**
 * Convoy's subscription filters: one row per event type of a subscription (`*` for the
 * rest), each with body, header, query and path filters and an on/off switch. Routing reads
 * them through the subscriptions' routing cache, which every write here clears.
 */
@Injectable()
export class SubscriptionFiltersService {
  constructor(
    private readonly filters: SubscriptionFiltersRepository,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly projects: ProjectsService,
    private readonly cache: SubscriptionRoutingCache,
  ) {}

  async list(projectId: string, subscriptionId: string): Promise<SubscriptionFilterEntity[]> {
    await this.liveSubscription(projectId, subscriptionId);
    return this.filters.listForSubscription(subscriptionId);
  }

  async get(projectId: string, subscriptionId: string, id: string): Promise<SubscriptionFilterEntity> {
    await this.liveSubscription(projectId, subscriptionId);
    const row = await this.filters.find(subscriptionId, id);
    if (!row) throw notFound('filter');
    return row;
  }

  async create(projectId: string, subscriptionId: string, dto: CreateFilterDto): Promise<SubscriptionFilterEntity> {
    const [row] = await this.createMany(projectId, subscriptionId, [dto], '');
    return row;
  }

  /** Every item is checked first; with any problem nothing is created. */
  async bulkCreate(projectId: string, subscriptionId: string, body: unknown): Promise<SubscriptionFilterEntity[]> {
    const items = validatedItems(body, CreateFilterDto);
    return this.createMany(projectId, subscriptionId, items, 'items');
  }

  async update(projectId: string, subscriptionId: string, id: string, dto: UpdateFilterDto): Promise<SubscriptionFilterEntity> {
    const [row] = await this.updateMany(projectId, subscriptionId, [{ ...dto, uid: id }], '');
    return row;
  }

  async bulkUpdate(projectId: string, subscriptionId: string, body: unknown): Promise<SubscriptionFilterEntity[]> {
    const items = validatedItems(body, BulkUpdateFilterDto);
    return this.updateMany(projectId, subscriptionId, items, 'items');
  }

  async delete(projectId: string, subscriptionId: string, id: string): Promise<void> {
    await this.liveSubscription(projectId, subscriptionId);
    if (!(await this.filters.delete(subscriptionId, id))) throw notFound('filter');
    this.cache.clear(projectId);
  }

  /**
   * Convoy's TestFilter: whether the sample request passes the filter routing would pick for
   * `eventType` (its own row, else the `*` row). No filter at all matches (nothing filters);
   * only switched-off ones does not.
   */
  async test(projectId: string, subscriptionId: string, eventType: string, dto: TestSubscriptionFilterDto): Promise<boolean> {
    await this.liveSubscription(projectId, subscriptionId);
    const rows = await this.filters.listForSubscription(subscriptionId);
    const chosen = filterFor(new Map(rows.map((r) => [r.eventType, toEventFilter(r)])), eventType);
    if (!chosen) return !rows.some((r) => r.eventType === eventType || (eventType !== '*' && r.eventType === '*'));
    const req = dto.request ?? {};
    const headers = req.headers && Object.keys(req.headers).length > 0 ? req.headers : (req.header ?? {});
    const budget = matchBudget();
    const matched = passesScopes(
      chosen,
      {
        body: req.body !== undefined ? req.body : dto.payload,
        headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
        query: req.query ?? {},
        path: req.path ?? {},
      },
      budget,
    );
    if (budget.remaining < 0) {
      throw unprocessable('filter_too_expensive', 'the filter needs more work on this request than one event may take; routing would treat it as no match');
    }
    return matched;
  }

  private async createMany(projectId: string, subscriptionId: string, items: CreateFilterDto[], where: string): Promise<SubscriptionFilterEntity[]> {
    await this.liveSubscription(projectId, subscriptionId);
    const now = new Date();
    const problems: string[] = [];
    const rows = items.map((dto, i) => {
      const at = where ? `${where}[${i}].` : '';
      const { scopes, problems: p } = checkScopes(dto, at);
      problems.push(...p);
      return {
        id: newId(),
        projectId,
        subscriptionId,
        eventType: dto.event_type,
        enabledAt: dto.enabled_at === undefined ? now : dto.enabled_at === null ? null : new Date(dto.enabled_at),
        ...emptyScopes(),
        ...scopes,
        createdAt: now,
        updatedAt: now,
      } satisfies SubscriptionFilterEntity;
    });
    refuseProblems(problems);
    const dup = firstDuplicate(items.map((d) => d.event_type));
    if (dup !== undefined) throw badRequest('duplicate_event_type', `duplicate event type ${dup} in request`);
    const res = await this.filters.write(projectId, subscriptionId, MAX_FILTERS_PER_SUBSCRIPTION, () => ({ upsert: rows }));
    return this.written(projectId, res);
  }

  private async updateMany(projectId: string, subscriptionId: string, items: BulkUpdateFilterDto[], where: string): Promise<SubscriptionFilterEntity[]> {
    await this.liveSubscription(projectId, subscriptionId);
    const problems: string[] = [];
    const patches = items.map((dto, i) => {
      const at = where ? `${where}[${i}].` : '';
      const { scopes, problems: p } = checkScopes(dto, at);
      problems.push(...p);
      return { dto, scopes };
    });
    refuseProblems(problems);
    const dup = firstDuplicate(items.map((d) => d.uid));
    if (dup !== undefined) throw badRequest('duplicate_filter', `filter ${dup} appears twice in the request`);
    const now = new Date();
    const res = await this.filters.write(projectId, subscriptionId, MAX_FILTERS_PER_SUBSCRIPTION, (current) => {
      const byId = new Map(current.map((r) => [r.id, r]));
      const upsert: SubscriptionFilterEntity[] = [];
      for (const { dto, scopes } of patches) {
        const row = byId.get(dto.uid);
        if (!row) return { refused: 'unknown_filter', id: dto.uid };
        upsert.push({
          ...row,
          ...scopes,
          eventType: dto.event_type ?? row.eventType,
          enabledAt: dto.enabled_at === undefined ? row.enabledAt : dto.enabled_at === null ? null : new Date(dto.enabled_at),
          updatedAt: now,
        });
      }
      return { upsert };
    });
    return this.written(projectId, res);
  }

  private written(projectId: string, res: FilterWrite): SubscriptionFilterEntity[] {
    if (!('refused' in res)) {
      this.cache.clear(projectId);
      return res;
    }
    switch (res.refused) {
      case 'no_subscription':
        throw notFound('subscription');
      case 'unknown_filter':
        throw new DomainError('not_found', 'filter_not_found', `filter ${res.id} not found`);
      case 'duplicate':
        throw badRequest('duplicate_event_type', `filter with event type ${res.eventType} already exists`);
      case 'limit':
        throw new DomainError('bad_request', 'limit_reached', `a subscription has at most ${res.limit} filters; delete some first`, { limit: res.limit });
    }
  }

  /** 404 for a subscription of another project, or one that is gone. */
  private async liveSubscription(projectId: string, subscriptionId: string): Promise<void> {
    await this.projects.getCached(projectId);
    if (!(await this.subscriptions.findLive(projectId, subscriptionId))) throw notFound('subscription');
  }
}

function emptyScopes(): FilterScopes {
  return { headers: {}, body: {}, query: {}, path: {} };
}

function refuseProblems(problems: string[]): void {
  if (problems.length > 0) throw unprocessable('invalid_filter', problems.slice(0, 20).join('; '), { errors: problems.slice(0, 20) });
}

function firstDuplicate(values: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) return v;
    seen.add(v);
  }
  return undefined;
}

/**
 * Validates a JSON array body item by item with the same rules (and the same error shape,
 * fields named `[i].field`) as the global pipe gives a single DTO.
 */
function validatedItems<T extends object>(body: unknown, dto: new () => T): T[] {
  if (!Array.isArray(body)) throw badRequest('validation_failed', 'the body must be a JSON array of filters');
  if (body.length === 0) throw badRequest('validation_failed', 'the body must list at least one filter');
  if (body.length > MAX_BULK_ITEMS) throw badRequest('validation_failed', `at most ${MAX_BULK_ITEMS} filters per request`);
  const errors: ValidationError[] = [];
  const items = body.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      errors.push(Object.assign(new ValidationError(), { property: `[${i}]`, constraints: { isObject: `[${i}] must be a filter object` }, children: [] }));
      return undefined as unknown as T;
    }
    const item = plainToInstance(dto, raw);
    const problems = validateSync(item, { whitelist: true, forbidNonWhitelisted: true });
    if (problems.length > 0) errors.push(Object.assign(new ValidationError(), { property: `[${i}]`, children: problems }));
    return item;
  });
  if (errors.length > 0) {
    const ex = validationExceptionFactory(errors);
    const res = ex.getResponse() as { message: string; code: string; errors: unknown[] };
    throw new DomainError('bad_request', res.code, res.message, { errors: res.errors });
  }
  return items;
}
