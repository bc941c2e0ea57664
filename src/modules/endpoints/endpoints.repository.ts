import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import { Tx, writeResult } from '../../../libs/database/sql';
import { limitReached } from '../../common/errors/domain-error';
import { EndpointEntity } from './endpoint.entity';
import { ReplicaReads } from '../../../libs/database/replica-reads';

export interface EndpointListFilter {
  q?: string;
  ownerId?: string;
}

export type SortOrder = 'ASC' | 'DESC';

export interface EndpointMutation {
  before: EndpointEntity;
  after: EndpointEntity;
}

/** `%`, `_` and `\` in a search term are literals, not patterns. */
function likeContains(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Keyset pages run newest first; an ascending list is the same scan with the direction flipped. */
export function orderedKeyset(page: KeysetRequest, sort: SortOrder): KeysetRequest {
  if (sort === 'DESC') return page;
  return { ...page, direction: page.direction === 'next' ? 'prev' : 'next' };
}

@Injectable()
export class EndpointsRepository {
  constructor(
    @InjectRepository(EndpointEntity) private readonly repo: Repository<EndpointEntity>,
    private readonly reads: ReplicaReads,
  ) {}

  async insert(row: EndpointEntity): Promise<void> {
    await this.repo.insert(row);
  }

  countLive(projectId: string): Promise<number> {
    return this.repo.count({ where: { projectId, deletedAt: IsNull() } });
  }

  findLive(projectId: string, id: string): Promise<EndpointEntity | null> {
    return this.reads.repo(this.repo).findOne({ where: { id, projectId, deletedAt: IsNull() } });
  }

  findLiveById(id: string): Promise<EndpointEntity | null> {
    return this.repo.findOne({ where: { id, deletedAt: IsNull() } });
  }

  findManyLive(projectId: string, ids: string[]): Promise<EndpointEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.reads.repo(this.repo).find({ where: { projectId, id: In(ids), deletedAt: IsNull() } });
  }

  list(projectId: string, filter: EndpointListFilter, page: KeysetRequest, sort: SortOrder): Promise<EndpointEntity[]> {
    const qb = this.reads.repo(this.repo).createQueryBuilder('e').where('e.project_id = :projectId AND e.deleted_at IS NULL', { projectId });
    if (filter.q) qb.andWhere(`e.name ILIKE :q ESCAPE '\\'`, { q: likeContains(filter.q) });
    if (filter.ownerId) qb.andWhere('e.owner_id = :ownerId', { ownerId: filter.ownerId });
    return applyKeyset(qb, 'e', orderedKeyset(page, sort)).getMany();
  }

  findByOwner(projectId: string, ownerId: string): Promise<EndpointEntity[]> {
    return this.repo.find({ where: { projectId, ownerId, status: In(['active', 'paused']), deletedAt: IsNull() }, order: { id: 'ASC' } });
  }

  /** Live endpoints (any status) of these owners, oldest first. */
  findLiveOfOwners(projectId: string, ownerIds: string[]): Promise<EndpointEntity[]> {
    if (ownerIds.length === 0) return Promise.resolve([]);
    return this.repo.find({ where: { projectId, ownerId: In(ownerIds), deletedAt: IsNull() }, order: { id: 'ASC' } });
  }

  /** Ids of the live endpoints (any status) of an owner. */
  async idsOfOwner(projectId: string, ownerId: string): Promise<string[]> {
    const rows = await this.repo.find({ select: { id: true }, where: { projectId, ownerId, deletedAt: IsNull() } });
    return rows.map((r) => r.id);
  }

  /** The live endpoints among `ids`, locked in `tx` until it ends. */
  lockLive(tx: Tx, projectId: string, ids: string[]): Promise<EndpointEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return tx.find(EndpointEntity, { where: { projectId, id: In(ids), deletedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
  }

  /** Gives the endpoints among `ids` that have no owner this owner id, in `tx`. */
  async setBlankOwner(tx: Tx, projectId: string, ids: string[], ownerId: string): Promise<void> {
    if (ids.length === 0) return;
    await tx.update(EndpointEntity, { projectId, id: In(ids), ownerId: '', deletedAt: IsNull() }, { ownerId, updatedAt: new Date() });
  }

  /**
   * Reads the row under a row lock, lets `change` decide the patch from what is stored
   * (null = nothing to change) and writes it in the same transaction, so concurrent
   * status flips and secret rotations cannot overwrite each other.
   */
  mutate(
    projectId: string,
    id: string,
    change: (row: EndpointEntity) => Partial<EndpointEntity> | null,
    alongside?: (tx: Tx, m: EndpointMutation) => Promise<void>,
  ): Promise<EndpointMutation | null> {
    return this.repo.manager.transaction(async (m) => {
      const row = await m.findOne(EndpointEntity, { where: { id, projectId, deletedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!row) return null;
      const patch = change(row);
      if (!patch || Object.keys(patch).length === 0) return { before: row, after: row };
      const updatedAt = new Date();
      await m.update(EndpointEntity, { id }, { ...patch, updatedAt });
      const res = { before: row, after: { ...row, ...patch, updatedAt } };
      if (alongside) await alongside(m, res);
      return res;
    });
  }

  /** Soft-deletes the endpoint; `alongside` runs in the same transaction (the rows of other owners that point at it). */
  async softDelete(projectId: string, id: string, alongside: (tx: Tx) => Promise<void>): Promise<boolean> {
    return this.repo.manager.transaction(async (m) => {
      const now = new Date();
      const res = await m.update(EndpointEntity, { id, projectId, deletedAt: IsNull() }, { deletedAt: now, updatedAt: now });
      if ((res.affected ?? 0) === 0) return false;
      await alongside(m);
      return true;
    });
  }

  /**
   * Removes signing secrets whose rotation overlap is over. One set-based statement, so the
   * job never loads endpoints into the worker; secrets that still sign are never touched
   * and an endpoint always keeps at least one secret.
   */
  async purgeExpiredSecrets(limit: number): Promise<string[]> {
    const raw: unknown = await this.repo.query(
      `WITH stale AS (
         SELECT e.id FROM endpoints e
         WHERE e.deleted_at IS NULL
           AND EXISTS (SELECT 1 FROM jsonb_array_elements(e.secrets) s
                       WHERE s->>'deleted_at' IS NOT NULL OR (s->>'expires_at' IS NOT NULL AND (s->>'expires_at')::timestamptz <= now()))
           AND EXISTS (SELECT 1 FROM jsonb_array_elements(e.secrets) s
                       WHERE s->>'deleted_at' IS NULL AND (s->>'expires_at' IS NULL OR (s->>'expires_at')::timestamptz > now()))
         LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       UPDATE endpoints e SET updated_at = now(), secrets = (
         SELECT jsonb_agg(x.s ORDER BY x.ord) FROM jsonb_array_elements(e.secrets) WITH ORDINALITY AS x(s, ord)
         WHERE x.s->>'deleted_at' IS NULL AND (x.s->>'expires_at' IS NULL OR (x.s->>'expires_at')::timestamptz > now()))
       FROM stale WHERE e.id = stale.id
       RETURNING e.id`,
      [limit],
    );
    return writeResult<{ id: string }>(raw).rows.map((r) => r.id);
  }

  /**
   * The oldest live endpoint of the project with exactly this URL, or a new one from
   * `build`. An advisory lock on (project, url) stops two concurrent dynamic events from
   * creating the same endpoint twice; a unique index cannot, because users may register
   * one URL more than once on purpose.
   */
  findOrInsertByUrl(projectId: string, url: string, build: () => EndpointEntity, limit: number): Promise<{ row: EndpointEntity; created: boolean }> {
    return this.repo.manager.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`endpoint-url:${projectId}:${url}`]);
      const found = await m.findOne(EndpointEntity, { where: { projectId, url, deletedAt: IsNull() }, order: { id: 'ASC' } });
      if (found) return { row: found, created: false };
      if ((await m.count(EndpointEntity, { where: { projectId, deletedAt: IsNull() } })) >= limit) throw limitReached('endpoints', limit);
      const row = build();
      await m.insert(EndpointEntity, row);
      return { row, created: true };
    });
  }
}
