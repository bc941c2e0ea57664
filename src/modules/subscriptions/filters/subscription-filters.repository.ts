import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, QueryDeepPartialEntity, Repository } from 'typeorm';
import type { Tx } from '../../../../libs/database/sql';
import { SubscriptionEntity } from '../subscription.entity';
import { FilterDocument, SubscriptionFilterEntity } from './subscription-filter.entity';

/** Why a write of filter rows was refused; the service turns it into an error. */
export type FilterWriteRefusal =
  | { refused: 'no_subscription' }
  | { refused: 'limit'; limit: number }
  | { refused: 'duplicate'; eventType: string }
  | { refused: 'unknown_filter'; id: string };

export type FilterWrite = SubscriptionFilterEntity[] | FilterWriteRefusal;

/**
 * Works out the next rows of a subscription from its current ones (under the subscription's
 * row lock), or refuses. `upsert` rows are inserted or overwritten by id, `remove` deleted.
 */
export type FilterPlan = (current: SubscriptionFilterEntity[]) => { upsert: SubscriptionFilterEntity[]; remove?: string[] } | FilterWriteRefusal;

@Injectable()
export class SubscriptionFiltersRepository {
  constructor(@InjectRepository(SubscriptionFilterEntity) private readonly repo: Repository<SubscriptionFilterEntity>) {}

  /** Newest first, as Convoy lists them. */
  listForSubscription(subscriptionId: string): Promise<SubscriptionFilterEntity[]> {
    return this.repo.find({ where: { subscriptionId }, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  find(subscriptionId: string, id: string): Promise<SubscriptionFilterEntity | null> {
    return this.repo.findOne({ where: { id, subscriptionId } });
  }

  /** Every row of the project's live subscriptions (rows go with their subscription). */
  listForProject(projectId: string): Promise<SubscriptionFilterEntity[]> {
    return this.repo.find({ where: { projectId }, order: { id: 'ASC' } });
  }

  /**
   * Applies `plan` under the live subscription's row lock, so concurrent writers see each
   * other's rows and the per-event-type uniqueness and the row limit hold. Returns the rows
   * written, in the plan's order.
   */
  write(projectId: string, subscriptionId: string, limit: number, plan: FilterPlan): Promise<FilterWrite> {
    return this.repo.manager.transaction(async (m) => {
      const locked = await m.findOne(SubscriptionEntity, { where: { id: subscriptionId, projectId }, lock: { mode: 'pessimistic_write' } });
      if (!locked || locked.deletedAt) return { refused: 'no_subscription' };
      const current = await m.find(SubscriptionFilterEntity, { where: { subscriptionId } });
      const next = plan(current);
      if ('refused' in next) return next;
      const removed = new Set(next.remove ?? []);
      const kept = current.filter((r) => !removed.has(r.id) && !next.upsert.some((u) => u.id === r.id));
      const types = new Map<string, string>();
      for (const r of [...kept, ...next.upsert]) {
        if (types.has(r.eventType)) return { refused: 'duplicate', eventType: r.eventType };
        types.set(r.eventType, r.id);
      }
      if (types.size > limit) return { refused: 'limit', limit };
      await applyPlan(m, next.upsert, [...removed]);
      return next.upsert;
    });
  }

  async delete(subscriptionId: string, id: string): Promise<boolean> {
    const res = await this.repo.delete({ id, subscriptionId });
    return (res.affected ?? 0) > 0;
  }
}

/** Inside a subscription's own transaction: makes its rows one per event type carrying `filter`. */
export async function syncFilterRows(
  m: EntityManager,
  sub: Pick<SubscriptionEntity, 'id' | 'projectId'>,
  eventTypes: readonly string[],
  filter: Omit<SubscriptionFilterEntity, 'id' | 'projectId' | 'subscriptionId' | 'eventType' | 'enabledAt' | 'createdAt' | 'updatedAt'>,
  mode: 'replace' | 'add',
  newRowId: () => string,
): Promise<void> {
  const current = await m.find(SubscriptionFilterEntity, { where: { subscriptionId: sub.id } });
  const byType = new Map(current.map((r) => [r.eventType, r]));
  const now = new Date();
  const upsert: SubscriptionFilterEntity[] = [];
  for (const eventType of eventTypes) {
    const have = byType.get(eventType);
    if (have && mode === 'add') continue;
    upsert.push(
      have
        ? { ...have, ...filter, updatedAt: now }
        : { id: newRowId(), projectId: sub.projectId, subscriptionId: sub.id, eventType, enabledAt: now, ...filter, createdAt: now, updatedAt: now },
    );
  }
  const wanted = new Set(eventTypes);
  await applyPlan(
    m,
    upsert,
    current.filter((r) => !wanted.has(r.eventType)).map((r) => r.id),
  );
}

/** Removes the rows of subscriptions being soft-deleted, in their transaction. */
export async function deleteFilterRows(
  tx: Tx,
  by: { subscriptionId: string } | { endpointId: string } | { sourceId: string } | { projectId: string },
): Promise<void> {
  if ('subscriptionId' in by) await tx.query(`DELETE FROM subscription_filters WHERE subscription_id = $1`, [by.subscriptionId]);
  else if ('endpointId' in by)
    await tx.query(`DELETE FROM subscription_filters WHERE subscription_id IN (SELECT id FROM subscriptions WHERE endpoint_id = $1)`, [by.endpointId]);
  else if ('sourceId' in by)
    await tx.query(`DELETE FROM subscription_filters WHERE subscription_id IN (SELECT id FROM subscriptions WHERE source_id = $1)`, [by.sourceId]);
  else await tx.query(`DELETE FROM subscription_filters WHERE project_id = $1`, [by.projectId]);
}

async function applyPlan(m: EntityManager, upsert: SubscriptionFilterEntity[], remove: string[]): Promise<void> {
  // an updated row is written again whole (same id and created_at): an event type may move
  // between rows in one write, which row-by-row updates would trip the unique index on
  const gone = [...remove, ...upsert.map((r) => r.id)];
  if (gone.length > 0) await m.delete(SubscriptionFilterEntity, { id: In(gone) });
  if (upsert.length > 0) await m.insert(SubscriptionFilterEntity, upsert.map(writable));
}

/** Filter documents are free-form JSON, which TypeORM's deep-partial type cannot express. */
function writable(row: SubscriptionFilterEntity): QueryDeepPartialEntity<SubscriptionFilterEntity> {
  return row as QueryDeepPartialEntity<SubscriptionFilterEntity>;
}

export type { FilterDocument };
