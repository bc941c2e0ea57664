import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import { AttemptEntity } from './attempt.entity';
import { DeliveryEntity } from './delivery.entity';
import { ReplicaReads } from '../../../libs/database/replica-reads';

export interface DeliveryFilter {
  endpointIds?: string[];
  eventId?: string;
  subscriptionId?: string;
  statuses?: string[];
  eventType?: string;
  idempotencyKey?: string;
  startDate?: Date;
  endDate?: Date;
}

export const MAX_BATCH_RETRY = 10_000;

/** Reads for the API; state changes live in DeliveryStateRepository. */
@Injectable()
export class DeliveriesRepository {
  constructor(
    @InjectRepository(DeliveryEntity) private readonly deliveries: Repository<DeliveryEntity>,
    @InjectRepository(AttemptEntity) private readonly attempts: Repository<AttemptEntity>,
    private readonly reads: ReplicaReads,
  ) {}

  findOne(projectId: string, id: string): Promise<DeliveryEntity | null> {
    return this.reads.repo(this.deliveries).findOne({ where: { projectId, id } });
  }

  list(projectId: string, f: DeliveryFilter, page: KeysetRequest): Promise<DeliveryEntity[]> {
    return applyKeyset(this.filtered(projectId, f), 'd', page).getMany();
  }

  async idsMatching(projectId: string, f: DeliveryFilter): Promise<string[]> {
    const rows = await this.filtered(projectId, f).select('d.id', 'id').orderBy('d.id', 'ASC').limit(MAX_BATCH_RETRY).getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /**
   * Delivery outcomes per endpoint between two ids (ids are ULIDs, so an id range is a
   * time range and the (endpoint_id, id) index serves it).
   */
  async outcomesByEndpoint(
    projectId: string,
    endpointIds: string[] | undefined,
    fromId: string,
    toId: string,
  ): Promise<{ endpoint_id: string; success: number; failure: number; retries: number }[]> {
    const rows: { endpoint_id: string; success: string; failure: string; retries: string }[] = await this.deliveries.query(
      `SELECT endpoint_id,
              count(*) FILTER (WHERE status = 'Success') AS success,
              count(*) FILTER (WHERE status IN ('Failure', 'Discarded')) AS failure,
              coalesce(sum(greatest(attempts - 1, 0)), 0) AS retries
       FROM event_deliveries
       WHERE project_id = $1 AND id >= $2 AND id < $3 AND deleted_at IS NULL
         AND ($4::text[] IS NULL OR endpoint_id = ANY($4::text[]))
       GROUP BY endpoint_id`,
      [projectId, fromId, toId, endpointIds?.length ? endpointIds : null],
    );
    return rows.map((r) => ({ endpoint_id: r.endpoint_id, success: Number(r.success), failure: Number(r.failure), retries: Number(r.retries) }));
  }

  listAttempts(projectId: string, deliveryId: string): Promise<AttemptEntity[]> {
    return this.reads.repo(this.attempts).find({ where: { projectId, eventDeliveryId: deliveryId }, order: { id: 'ASC' }, take: 1000 });
  }

  findAttempt(projectId: string, deliveryId: string, id: string): Promise<AttemptEntity | null> {
    return this.reads.repo(this.attempts).findOne({ where: { projectId, eventDeliveryId: deliveryId, id } });
  }

  private filtered(projectId: string, f: DeliveryFilter): SelectQueryBuilder<DeliveryEntity> {
    const qb = this.reads.repo(this.deliveries).createQueryBuilder('d').where('d.project_id = :projectId AND d.deleted_at IS NULL', { projectId });
    if (f.endpointIds?.length) qb.andWhere('d.endpoint_id = ANY(:endpointIds::text[])', { endpointIds: f.endpointIds });
    if (f.eventId) qb.andWhere('d.event_id = :eventId', { eventId: f.eventId });
    if (f.subscriptionId) qb.andWhere('d.subscription_id = :subscriptionId', { subscriptionId: f.subscriptionId });
    if (f.statuses?.length) qb.andWhere('d.status = ANY(:statuses::text[])', { statuses: f.statuses });
    if (f.eventType) qb.andWhere('d.event_type = :eventType', { eventType: f.eventType });
    if (f.idempotencyKey) {
      qb.andWhere('d.event_id IN (SELECT e.id FROM events e WHERE e.project_id = :projectId AND e.idempotency_key = :key)', { key: f.idempotencyKey });
    }
    if (f.startDate) qb.andWhere('d.created_at >= :startDate', { startDate: f.startDate });
    if (f.endDate) qb.andWhere('d.created_at <= :endDate', { endDate: f.endDate });
    return qb;
  }
}
