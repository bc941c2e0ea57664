import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, SelectQueryBuilder } from 'typeorm';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { isStatementTimeout } from '../../../libs/database/database-errors';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import { writeResult } from '../../../libs/database/sql';
import { DomainError } from '../../common/errors/domain-error';
import { EventEntity } from './event.entity';
import { EventSearch, idPrefixRange } from './event-search';
import { START_REPLAY_SQL } from './event-status';
import { ReplicaReads } from '../../../libs/database/replica-reads';

export interface EventFilter {
  endpointIds?: string[];
  sourceIds?: string[];
  idempotencyKey?: string;
  brokerMessageId?: string;
  eventType?: string;
  startDate?: Date;
  endDate?: Date;
  /** Convoy's `query` and `body`; run under SEARCH_TIMEOUT_MS */
  search?: EventSearch;
  /** the oldest id a search looks at (the project's search_policy) */
  searchFloorId?: string;
}

/** The ways a text `query` matches an event, each served by an index of its own. */
const TEXT_ARM_SQL = {
  id: '(e.id BETWEEN :idFrom AND :idTo AND starts_with(e.id, :idFrom))',
  idempotencyKey: 'e.idempotency_key = :searchText',
  eventType: 'e.event_type = :searchText',
  source: 'e.source_id IN (SELECT s.id FROM sources s WHERE s.project_id = :projectId AND s.name = :searchText)',
} as const;
type TextArm = keyof typeof TEXT_ARM_SQL;
const TEXT_ARMS = Object.keys(TEXT_ARM_SQL) as TextArm[];

/** The most events one batch replay touches; callers narrow the filter for more. */
export const MAX_BATCH_REPLAY = 10_000;

@Injectable()
export class EventsRepository {
  constructor(
    @InjectRepository(EventEntity) private readonly repo: Repository<EventEntity>,
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly reads: ReplicaReads,
  ) {}

  findOne(projectId: string, id: string): Promise<EventEntity | null> {
    return this.reads.repo(this.repo).findOne({ where: { projectId, id } });
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
    if (f.search?.text === undefined) return this.bounded(f, (repo) => applyKeyset(this.filtered(repo, projectId, f), 'e', page).getMany());
    // One query per way the text can match, each walking its own index in id order, then
    // the union's first page: with the arms OR-ed the planner walks the project's newest
    // events and filters them, which is slow when the newest are of another type.
    return this.bounded(f, async (repo) => {
      const byId = new Map<string, EventEntity>();
      for (const arm of TEXT_ARMS) {
        for (const e of await applyKeyset(this.filtered(repo, projectId, f, arm), 'e', page).getMany()) byId.set(e.id, e);
      }
      const rows = [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      if (page.direction === 'prev') rows.reverse();
      return rows.slice(0, page.perPage + 1);
    });
  }

  /** Bounded count: never scans past MAX_BATCH_REPLAY + 1 rows. */
  countUpTo(projectId: string, f: EventFilter): Promise<number> {
    return this.bounded(f, async (repo) => {
      const inner = this.filtered(repo, projectId, f)
        .select('1')
        .limit(MAX_BATCH_REPLAY + 1);
      const [sql, params] = inner.getQueryAndParameters();
      const rows: { n: string }[] = await repo.query(`SELECT count(*) AS n FROM (${sql}) t`, params);
      return Number(rows[0].n);
    });
  }

  /** Starts a new routing pass: the router then makes fresh deliveries. */
  async startReplay(projectId: string, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const raw: unknown = await this.repo.query(START_REPLAY_SQL, [projectId, ids]);
    return writeResult<{ id: string }>(raw).rows.map((r) => r.id);
  }

  async idsForReplay(projectId: string, f: EventFilter): Promise<string[]> {
    const rows = await this.bounded(f, (repo) =>
      this.filtered(repo, projectId, f).select('e.id', 'id').orderBy('e.id', 'ASC').limit(MAX_BATCH_REPLAY).getRawMany<{ id: string }>(),
    );
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

  /**
   * A search runs in a transaction of its own under SEARCH_TIMEOUT_MS, so a payload search
   * that no index narrows cannot hold a connection for the pool's whole statement timeout.
   */
  private async bounded<T>(f: EventFilter, run: (repo: Repository<EventEntity>) => Promise<T>): Promise<T> {
    const source = this.reads.repo(this.repo);
    if (!f.search) return run(source);
    const ms = this.config.searchTimeoutMs;
    try {
      return await source.manager.transaction(async (m) => {
        await m.query(`SET LOCAL statement_timeout = ${Math.floor(ms)}`);
        return run(m.getRepository(EventEntity));
      });
    } catch (e) {
      if (isStatementTimeout(e)) {
        throw new DomainError(
          'gateway_timeout',
          'search_timeout',
          `the search took longer than ${ms} ms; narrow it with startDate, endDate, event_type or a longer id prefix`,
        );
      }
      throw e;
    }
  }

  /** `arm`: match the text search one way only (see list); all of them OR-ed when absent. */
  private filtered(repo: Repository<EventEntity>, projectId: string, f: EventFilter, arm?: TextArm): SelectQueryBuilder<EventEntity> {
    const qb = repo.createQueryBuilder('e').where('e.project_id = :projectId AND e.deleted_at IS NULL', { projectId });
    if (f.endpointIds?.length) qb.andWhere('e.endpoints && :endpointIds::text[]', { endpointIds: f.endpointIds });
    if (f.sourceIds?.length) qb.andWhere('e.source_id = ANY(:sourceIds::text[])', { sourceIds: f.sourceIds });
    if (f.idempotencyKey) qb.andWhere('e.idempotency_key = :key', { key: f.idempotencyKey });
    if (f.brokerMessageId) qb.andWhere('e.broker_message_id = :brokerMessageId', { brokerMessageId: f.brokerMessageId });
    if (f.eventType) qb.andWhere('e.event_type = :eventType', { eventType: f.eventType });
    if (f.startDate) qb.andWhere('e.created_at >= :startDate', { startDate: f.startDate });
    if (f.endDate) qb.andWhere('e.created_at <= :endDate', { endDate: f.endDate });
    if (f.search) {
      if (f.searchFloorId) qb.andWhere('e.id >= :searchFloor', { searchFloor: f.searchFloorId });
      const text = f.search.text;
      if (text !== undefined) {
        const range = idPrefixRange(text);
        const arms = arm ? [TEXT_ARM_SQL[arm]] : TEXT_ARMS.map((a) => TEXT_ARM_SQL[a]);
        qb.andWhere(`(${arms.join(' OR ')})`, { idFrom: range.from, idTo: range.to, searchText: text });
      }
      f.search.contains.forEach((c, i) => qb.andWhere(`caravan_payload_jsonb(e.raw) @> :contains${i}::jsonb`, { [`contains${i}`]: c }));
    }
    return qb;
  }
}
