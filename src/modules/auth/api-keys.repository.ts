import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import type { Tx } from '../../../libs/database/sql';
import { ApiKeyEntity } from './api-key.entity';

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly repo: Repository<ApiKeyEntity>) {}

  async insert(row: Omit<ApiKeyEntity, 'createdAt' | 'updatedAt' | 'deletedAt'>): Promise<ApiKeyEntity> {
    const now = new Date();
    const full: ApiKeyEntity = { ...row, createdAt: now, updatedAt: now, deletedAt: null };
    await this.repo.insert(full);
    return full;
  }

  findLiveByMask(maskId: string): Promise<ApiKeyEntity | null> {
    return this.repo.findOne({ where: { maskId, deletedAt: IsNull() } });
  }

  countLiveInstanceKeys(): Promise<number> {
    return this.repo.count({ where: { keyType: 'instance', deletedAt: IsNull() } });
  }

  listForProject(projectId: string, page: KeysetRequest): Promise<ApiKeyEntity[]> {
    const qb = this.repo.createQueryBuilder('k').where('k.project_id = :projectId AND k.deleted_at IS NULL', { projectId });
    return applyKeyset(qb, 'k', page).getMany();
  }

  async revoke(projectId: string, id: string): Promise<boolean> {
    const res = await this.repo.update({ id, projectId, deletedAt: IsNull() }, { deletedAt: new Date(), updatedAt: new Date() });
    return (res.affected ?? 0) > 0;
  }

  /** Inside the transaction that deletes the project: its keys stop working with it. */
  async revokeAllOfProject(tx: Tx, projectId: string): Promise<void> {
    await tx.query(`UPDATE api_keys SET deleted_at = now(), updated_at = now() WHERE project_id = $1 AND deleted_at IS NULL`, [projectId]);
  }
}
