import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, SelectQueryBuilder } from 'typeorm';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import { writeResult } from '../../../libs/database/sql';
import { EventEntity } from './event.entity';
import { START_REPLAY_SQL } from './event-status';

export interface EventFilter {
  endpointIds?: string[];
  sourceIds?: string[];
  idempotencyKey?: string;
  brokerMessageId?: string;
  eventType?: string;
  startDate?: Date;
  endDate?: Date;
}

/** The most events one batch replay touches; callers narrow the filter for more. */
export const MAX_BATCH_REPLAY = 10_000;

@Injectable()
export class EventsRepository {
  constructor(@InjectRepository(EventEntity) private readonly repo: Repository<EventEntity>) {}

  findOne(projectId: string, id: string): Promise<EventEntity | null> {
    return this.repo.findOne({ where: { projectId, id } });
  }

  findMany(projectId: string, ids: string[]): Promise<EventEntity[]> {
    return ids.length ? this.repo.find({ where: { projectId, id: In(ids) } }) : Promise.resolve([]);
  }

  findById(id: string): Promise<EventEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  findByIdempotencyKey(projectId: string, key: string): Promise<EventEntity | null> {
    return this.repo.findOne({ where: { projectId, idempotencyKey: key } });
  }

  findByBrokerMessage(projectId: string, sourceId: string, brokerMessageId: string): Promise<EventEntity | null> {
    return this.repo.findOne({ where: { projectId, sourceId, brokerMessageId } });
  }

  list(projectId: string, f: EventFilter, page: KeysetRequest): Promise<EventEntity[]> {
    return applyKeyset(this.filtered(projectId, f), 'e', page).getMany();
  }

  /** Bounded count: never scans past MAX_BATCH_REPLAY + 1 rows. */
  async countUpTo(projectId: string, f: EventFilter): Promise<number> {
    const inner = this.filtered(projectId, f)
      .select('1')
      .limit(MAX_BATCH_REPLAY + 1);
    const [sql, params] = inner.getQueryAndParameters();
    const rows: { n: string }[] = await this.repo.query(`SELECT count(*) AS n FROM (${sql}) t`, params);
    return Number(rows[0].n);
  }

  /** Starts a new routing pass: the router then makes fresh deliveries. */
  async startReplay(projectId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const raw: unknown = await this.repo.query(START_REPLAY_SQL, [projectId, ids]);
    return writeResult<{ id: string }>(raw).rows.map((r) => r.id);
  }

  async idsForReplay(projectId: string, f: EventFilter): Promise<string[]> {
    const rows = await this.filtered(projectId, f).select('e.id', 'id').orderBy('e.id', 'ASC').limit(MAX_BATCH_REPLAY).getRawMany<{ id: string }>();
    return rows.map((r) => r.id);
  }

  /** Events acknowledged but not yet routed for longer than `olderThanMs`: the sweeper's input. */
  async unrouted(olderThanMs: number, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.repo.query(
      `SELECT id FROM events WHERE routed_at IS NULL AND updated_at < now() - ($1::int * interval '1 millisecond') ORDER BY id LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r) => r.id);
  }

  private filtered(projectId: string, f: EventFilter): SelectQueryBuilder<EventEntity> {
    const qb = this.repo.createQueryBuilder('e').where('e.project_id = :projectId AND e.deleted_at IS NULL', { projectId });
    if (f.endpointIds?.length) qb.andWhere('e.endpoints && :endpointIds::text[]', { endpointIds: f.endpointIds });
    if (f.sourceIds?.length) qb.andWhere('e.source_id = ANY(:sourceIds::text[])', { sourceIds: f.sourceIds });
    if (f.idempotencyKey) qb.andWhere('e.idempotency_key = :key', { key: f.idempotencyKey });
    if (f.brokerMessageId) qb.andWhere('e.broker_message_id = :brokerMessageId', { brokerMessageId: f.brokerMessageId });
    if (f.eventType) qb.andWhere('e.event_type = :eventType', { eventType: f.eventType });
    if (f.startDate) qb.andWhere('e.created_at >= :startDate', { startDate: f.startDate });
    if (f.endDate) qb.andWhere('e.created_at <= :endDate', { endDate: f.endDate });
    return qb;
  }
}
