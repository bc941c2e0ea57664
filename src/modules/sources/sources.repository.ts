import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository } from 'typeorm';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import type { Tx } from '../../../libs/database/sql';
import { SourceEntity } from './source.entity';
import { ReplicaReads } from '../../../libs/database/replica-reads';

export interface SourceListFilter {
  q?: string;
  type?: string;
  provider?: string;
}

@Injectable()
export class SourcesRepository {
  constructor(
    @InjectRepository(SourceEntity) private readonly repo: Repository<SourceEntity>,
    private readonly reads: ReplicaReads,
  ) {}

  async insert(row: SourceEntity): Promise<void> {
    await this.repo.insert(row);
  }

  findLive(projectId: string, id: string): Promise<SourceEntity | null> {
    return this.reads.repo(this.repo).findOne({ where: { id, projectId, deletedAt: IsNull() } });
  }

  findManyLive(projectId: string, ids: string[]): Promise<SourceEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.reads.repo(this.repo).find({ where: { projectId, id: In(ids), deletedAt: IsNull() } });
  }

  findLiveByMask(maskId: string): Promise<SourceEntity | null> {
    return this.repo.findOne({ where: { maskId, deletedAt: IsNull() } });
  }

  /** Every live, enabled broker source of every live project: what the broker supervisor runs. */
  listConsumable(limit: number): Promise<SourceEntity[]> {
    return (
      this.repo
        .createQueryBuilder('s')
        .where(`s.type = 'pub_sub' AND s.deleted_at IS NULL AND NOT s.is_disabled`)
        // a deleted project's sources stay in place but take nothing in
        .andWhere('EXISTS (SELECT 1 FROM projects p WHERE p.id = s.project_id AND p.deleted_at IS NULL)')
        .orderBy('s.id', 'ASC')
        .take(limit)
        .getMany()
    );
  }

  countLive(projectId: string): Promise<number> {
    return this.repo.count({ where: { projectId, deletedAt: IsNull() } });
  }

  list(projectId: string, filter: SourceListFilter, page: KeysetRequest): Promise<SourceEntity[]> {
    const qb = this.reads.repo(this.repo).createQueryBuilder('s').where('s.project_id = :projectId AND s.deleted_at IS NULL', { projectId });
    if (filter.q) qb.andWhere(`s.name ILIKE :q ESCAPE '\\'`, { q: `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    if (filter.type) qb.andWhere('s.type = :type', { type: filter.type });
    if (filter.provider) qb.andWhere('s.provider = :provider', { provider: filter.provider });
    return applyKeyset(qb, 's', page).getMany();
  }

  /** Reads the row under a lock and writes what `change` makes of it, so concurrent updates do not lose each other's fields. */
  mutate(projectId: string, id: string, change: (row: SourceEntity) => Partial<SourceEntity>): Promise<SourceEntity | null> {
    return this.repo.manager.transaction(async (m) => {
      const row = await m.findOne(SourceEntity, { where: { id, projectId, deletedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!row) return null;
      const patch = { ...change(row), updatedAt: new Date() };
      await m.update(SourceEntity, { id }, patch);
      return { ...row, ...patch };
    });
  }

  /** Soft-deletes the source; `alongside` runs in the same transaction (the rows of other owners that point at it). */
  softDelete(projectId: string, id: string, alongside: (tx: Tx) => Promise<void>): Promise<boolean> {
    return this.repo.manager.transaction(async (m) => {
      const now = new Date();
      const res = await m.update(SourceEntity, { id, projectId, deletedAt: IsNull() }, { deletedAt: now, updatedAt: now });
      if ((res.affected ?? 0) === 0) return false;
      await alongside(m);
      return true;
    });
  }

  async markCrcVerified(id: string, at: Date): Promise<void> {
    await this.repo.update({ id }, { providerConfig: { twitter: { crc_verified_at: at.toISOString() } }, updatedAt: at });
  }
}
