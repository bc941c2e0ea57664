import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import type { Tx } from '../../../libs/database/sql';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import { ProjectEntity } from './project.entity';

@Injectable()
export class ProjectsRepository {
  constructor(@InjectRepository(ProjectEntity) private readonly repo: Repository<ProjectEntity>) {}

  async insert(row: ProjectEntity): Promise<void> {
    await this.repo.insert(row);
  }

  findLive(id: string): Promise<ProjectEntity | null> {
    return this.repo.findOne({ where: { id, deletedAt: IsNull() } });
  }

  list(page: KeysetRequest, onlyId?: string): Promise<ProjectEntity[]> {
    const qb = this.repo.createQueryBuilder('p').where('p.deleted_at IS NULL');
    if (onlyId !== undefined) qb.andWhere('p.id = :onlyId', { onlyId });
    return applyKeyset(qb, 'p', page).getMany();
  }

  async update(id: string, patch: Partial<Pick<ProjectEntity, 'name' | 'logoUrl' | 'config'>>): Promise<boolean> {
    const res = await this.repo.update({ id, deletedAt: IsNull() }, { ...patch, updatedAt: new Date() });
    return (res.affected ?? 0) > 0;
  }

  /** Runs `fn` while holding the live project's row (FOR SHARE); undefined when the project is gone. */
  async withLiveProject<T>(id: string, fn: (tx: Tx) => Promise<T>): Promise<T | undefined> {
    return this.repo.manager.transaction(async (m) => {
      const rows: unknown[] = await m.query(`SELECT 1 FROM projects WHERE id = $1 AND deleted_at IS NULL FOR SHARE`, [id]);
      return rows.length ? fn(m) : undefined;
    });
  }

  /** Soft-deletes the project; `alongside` runs in the same transaction (what other owners end with it). */
  async softDelete(id: string, alongside: (tx: Tx) => Promise<void>): Promise<boolean> {
    return this.repo.manager.transaction(async (m) => {
      const r = await m.update(ProjectEntity, { id, deletedAt: IsNull() }, { deletedAt: new Date() });
      if ((r.affected ?? 0) === 0) return false;
      await alongside(m);
      return true;
    });
  }
}
