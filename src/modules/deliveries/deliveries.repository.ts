import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import { AttemptEntity } from './attempt.entity';
import { DeliveryEntity } from './delivery.entity';

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
  ) {}

  findOne(projectId: string, id: string): Promise<DeliveryEntity | null> {
    return this.deliveries.findOne({ where: { projectId, id } });
  }

  list(projectId: string, f: DeliveryFilter, page: KeysetRequest): Promise<DeliveryEntity[]> {
    return applyKeyset(this.filtered(projectId, f), 'd', page).getMany();
  }

  async idsMatching(projectId: string, f: DeliveryFilter): Promise<string[]> {
    const rows = await this.filtered(projectId, f).select('d.id', 'id').orderBy('d.id', 'ASC').limit(MAX_BATCH_RETRY).getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  listAttempts(projectId: string, deliveryId: string): Promise<AttemptEntity[]> {
    return this.attempts.find({ where: { projectId, eventDeliveryId: deliveryId }, order: { id: 'ASC' }, take: 1000 });
  }

  findAttempt(projectId: string, deliveryId: string, id: string): Promise<AttemptEntity | null> {
    return this.attempts.findOne({ where: { projectId, eventDeliveryId: deliveryId, id } });
  }

  private filtered(projectId: string, f: DeliveryFilter): SelectQueryBuilder<DeliveryEntity> {
    const qb = this.deliveries.createQueryBuilder('d').where('d.project_id = :projectId AND d.deleted_at IS NULL', { projectId });
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
