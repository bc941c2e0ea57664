import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import { Tx, writeResult } from '../../../libs/database/sql';
import { ApiKeyEntity } from './api-key.entity';

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKeyEntity) private readonly repo: Repository<ApiKeyEntity>) {}

  async insert(row: Omit<ApiKeyEntity, 'createdAt' | 'updatedAt' | 'deletedAt'>, tx?: Tx): Promise<ApiKeyEntity> {
    const now = new Date();
    const full: ApiKeyEntity = { ...row, createdAt: now, updatedAt: now, deletedAt: null };
    await (tx ? tx.getRepository(ApiKeyEntity) : this.repo).insert(full);
    return full;
  }

  countLiveForProject(projectId: string, tx?: Tx): Promise<number> {
    return (tx ? tx.getRepository(ApiKeyEntity) : this.repo).count({ where: { projectId, deletedAt: IsNull() } });
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

  /** Returns the revoked key's mask id, or undefined when there was no such live key. */
  async revoke(projectId: string, id: string): Promise<string | undefined> {
    const row = await this.repo.findOne({ where: { id, projectId, deletedAt: IsNull() } });
    if (!row) return undefined;
    const res = await this.repo.update({ id, projectId, deletedAt: IsNull() }, { deletedAt: new Date(), updatedAt: new Date() });
    return (res.affected ?? 0) > 0 ? row.maskId : undefined;
  }

  /** Revokes the live instance keys and inserts `row`, in one transaction; returns the revoked keys' masks. */
  async replaceInstanceKeys(row: Omit<ApiKeyEntity, 'createdAt' | 'updatedAt' | 'deletedAt'>): Promise<{ entity: ApiKeyEntity; revokedMasks: string[] }> {
    return this.repo.manager.transaction(async (m) => {
      const revoked: { mask_id: string }[] = await m.query(
        `UPDATE api_keys SET deleted_at = now(), updated_at = now() WHERE key_type = 'instance' AND deleted_at IS NULL RETURNING mask_id`,
      );
      const entity = await this.insert(row, m);
      return { entity, revokedMasks: revokedMasksOf(revoked) };
    });
  }

  async revokeInstanceKeys(): Promise<string[]> {
    const raw: unknown = await this.repo.query(
      `UPDATE api_keys SET deleted_at = now(), updated_at = now() WHERE key_type = 'instance' AND deleted_at IS NULL RETURNING mask_id`,
    );
    return revokedMasksOf(writeResult<{ mask_id: string }>(raw).rows);
  }

  /** Inside the transaction that deletes the project: its keys stop working with it. */
  async revokeAllOfProject(tx: Tx, projectId: string): Promise<void> {
    await tx.query(`UPDATE api_keys SET deleted_at = now(), updated_at = now() WHERE project_id = $1 AND deleted_at IS NULL`, [projectId]);
  }
}

function revokedMasksOf(rows: unknown): string[] {
  const list = Array.isArray(rows) && rows.length === 2 && Array.isArray(rows[0]) ? (rows[0] as { mask_id: string }[]) : (rows as { mask_id: string }[]);
  return list.map((r) => r.mask_id);
}
