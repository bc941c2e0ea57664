import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, QueryDeepPartialEntity, Repository } from 'typeorm';
import type { Tx } from '../../../libs/database/sql';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import { newId } from '../../common/ids';
import { deleteFilterRows, syncFilterRows } from './filters/subscription-filters.repository';
import { FilterConfig, SubscriptionEntity, SubscriptionWithoutFunction } from './subscription.entity';
import { ReplicaReads } from '../../../libs/database/replica-reads';

export interface SubscriptionListFilter {
  endpointIds?: string[];
  name?: string;
}

export type SortOrder = 'ASC' | 'DESC';

/** Keyset pages run newest first; an ascending list is the same scan with the direction flipped. */
function orderedKeyset(page: KeysetRequest, sort: SortOrder): KeysetRequest {
  if (sort === 'DESC') return page;
  return { ...page, direction: page.direction === 'next' ? 'prev' : 'next' };
}

export type InsertOutcome = 'inserted' | 'endpoint_taken';

@Injectable()
export class SubscriptionsRepository {
  constructor(
    @InjectRepository(SubscriptionEntity) private readonly repo: Repository<SubscriptionEntity>,
    private readonly reads: ReplicaReads,
  ) {}

  /**
   * Inserts the row; with `onePerEndpoint` only when the endpoint has no live
   * subscription yet. The per-endpoint advisory lock makes that check hold under
   * concurrent creates.
   */
  insert(row: SubscriptionEntity, onePerEndpoint: boolean): Promise<InsertOutcome> {
    return this.repo.manager.transaction(async (m) => {
      await lockEndpoint(m, row.endpointId);
      if (onePerEndpoint && (await countForEndpoint(m, row.endpointId)) > 0) return 'endpoint_taken';
      await m.insert(SubscriptionEntity, writable(row));
      await syncFilters(m, row, row.filterConfig, 'replace');
      return 'inserted';
    });
  }

  findLive(projectId: string, id: string): Promise<SubscriptionEntity | null> {
    return this.reads.repo(this.repo).findOne({ where: { id, projectId, deletedAt: IsNull() } });
  }

  list(projectId: string, filter: SubscriptionListFilter, page: KeysetRequest, sort: SortOrder): Promise<SubscriptionEntity[]> {
    const qb = this.reads.repo(this.repo).createQueryBuilder('s').where('s.project_id = :projectId AND s.deleted_at IS NULL', { projectId });
    if (filter.endpointIds?.length) qb.andWhere('s.endpoint_id IN (:...endpointIds)', { endpointIds: filter.endpointIds });
    if (filter.name) qb.andWhere(`s.name ILIKE :name ESCAPE '\\'`, { name: `%${filter.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    return applyKeyset(qb, 's', orderedKeyset(page, sort)).getMany();
  }

  countLive(projectId: string): Promise<number> {
    return this.repo.count({ where: { projectId, deletedAt: IsNull() } });
  }

  /** Without the functions: routing never needs them, and its cache would hold every one. */
  listLive(projectId: string): Promise<SubscriptionWithoutFunction[]> {
    return this.repo.find({ where: { projectId, deletedAt: IsNull() }, order: { id: 'ASC' }, select: ROUTING_COLUMNS });
  }

  /**
   * Applies `change` to the row under a row lock. When the patch moves the subscription
   * to another endpoint and `onePerEndpoint` holds, the target endpoint must be free.
   */
  update(
    projectId: string,
    id: string,
    change: (row: SubscriptionEntity) => Partial<SubscriptionEntity>,
    onePerEndpoint: boolean,
  ): Promise<SubscriptionEntity | 'endpoint_taken' | null> {
    return this.repo.manager.transaction(async (m) => {
      const row = await m.findOne(SubscriptionEntity, { where: { id, projectId, deletedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!row) return null;
      const patch = change(row);
      if (patch.endpointId !== undefined && patch.endpointId !== row.endpointId) {
        await lockEndpoint(m, patch.endpointId);
        if (onePerEndpoint && (await countForEndpoint(m, patch.endpointId)) > 0) return 'endpoint_taken';
      }
      const updatedAt = new Date();
      await m.update(SubscriptionEntity, { id }, writable({ ...patch, updatedAt }));
      // a filter_config sent in an update is the whole truth: one filter row per event type, each with its filter
      if (patch.filterConfig) await syncFilters(m, row, patch.filterConfig, 'replace');
      return { ...row, ...patch, updatedAt };
    });
  }

  /** Soft-deletes the subscription and deletes its filter rows, in one transaction. */
  softDelete(projectId: string, id: string): Promise<boolean> {
    return this.repo.manager.transaction(async (m) => {
      const now = new Date();
      const res = await m.update(SubscriptionEntity, { id, projectId, deletedAt: IsNull() }, { deletedAt: now, updatedAt: now });
      if ((res.affected ?? 0) === 0) return false;
      await deleteFilterRows(m, { subscriptionId: id });
      return true;
    });
  }

  /** Soft-deletes an endpoint's subscriptions (and their filter rows) inside the transaction that deletes the endpoint. */
  async softDeleteForEndpoint(tx: Tx, endpointId: string): Promise<void> {
    await deleteFilterRows(tx, { endpointId });
    await tx.query(`UPDATE subscriptions SET deleted_at = now(), updated_at = now() WHERE endpoint_id = $1 AND deleted_at IS NULL`, [endpointId]);
  }

  /** Soft-deletes a source's subscriptions (and their filter rows) inside the transaction that deletes the source. */
  async softDeleteForSource(tx: Tx, sourceId: string): Promise<void> {
    await deleteFilterRows(tx, { sourceId });
    await tx.query(`UPDATE subscriptions SET deleted_at = now(), updated_at = now() WHERE source_id = $1 AND deleted_at IS NULL`, [sourceId]);
  }

  /** A deleted project's filter rows go in the transaction that deletes it; routing never reads its subscriptions again. */
  async deleteFiltersOfProject(tx: Tx, projectId: string): Promise<void> {
    await deleteFilterRows(tx, { projectId });
  }

  /**
   * For dynamic events: under the endpoint's lock, either widens the endpoint's oldest
   * live subscription to cover `eventTypes` or inserts `build()` when it has none.
   */
  findOrCreateForEndpoint(
    projectId: string,
    endpointId: string,
    widen: (row: SubscriptionEntity) => Partial<SubscriptionEntity> | null,
    build: () => SubscriptionEntity,
  ): Promise<SubscriptionEntity> {
    return this.repo.manager.transaction(async (m) => {
      await lockEndpoint(m, endpointId);
      const found = await m.findOne(SubscriptionEntity, { where: { projectId, endpointId, deletedAt: IsNull() }, order: { id: 'ASC' } });
      if (!found) {
        const row = build();
        await m.insert(SubscriptionEntity, writable(row));
        await syncFilters(m, row, row.filterConfig, 'replace');
        return row;
      }
      const patch = widen(found);
      if (!patch) return found;
      const updatedAt = new Date();
      await m.update(SubscriptionEntity, { id: found.id }, writable({ ...patch, updatedAt }));
      // the new event types get rows with the subscription's filter; existing rows keep theirs
      if (patch.filterConfig) await syncFilters(m, found, patch.filterConfig, 'add');
      return { ...found, ...patch, updatedAt };
    });
  }
}

const ROUTING_COLUMNS = {
  id: true,
  projectId: true,
  endpointId: true,
  sourceId: true,
  name: true,
  type: true,
  deliveryMode: true,
  filterConfig: true,
  rateLimitConfig: true,
  alertConfig: true,
  createdAt: true,
  updatedAt: true,
  deletedAt: true,
} satisfies Record<keyof SubscriptionWithoutFunction, true>;

function syncFilters(m: EntityManager, sub: SubscriptionEntity, config: FilterConfig, mode: 'replace' | 'add'): Promise<void> {
  const f = config.filter;
  return syncFilterRows(m, sub, config.event_types, { headers: f.headers, body: f.body, query: f.query ?? {}, path: f.path ?? {} }, mode, newId);
}

/** Filters are free-form JSON, which TypeORM's deep-partial type cannot express. */
function writable(row: Partial<SubscriptionEntity>): QueryDeepPartialEntity<SubscriptionEntity> {
  return row as QueryDeepPartialEntity<SubscriptionEntity>;
}

async function lockEndpoint(m: EntityManager, endpointId: string): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`subscriptions-of-endpoint:${endpointId}`]);
}

async function countForEndpoint(m: EntityManager, endpointId: string): Promise<number> {
  return m.count(SubscriptionEntity, { where: { endpointId, deletedAt: IsNull() } });
}
