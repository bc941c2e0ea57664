import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { applyKeyset, KeysetRequest } from '../../../libs/database/keyset';
import { Tx } from '../../../libs/database/sql';
import { PortalLinkEntity, PortalLinkTokenEntity } from './portal-link.entity';

export interface PortalLinkListFilter {
  ownerId?: string;
  q?: string;
}

/** A token that opens its link now (live, not revoked, not expired, of the link's auth type), with the link. */
export interface OpenToken {
  token: PortalLinkTokenEntity;
  link: PortalLinkEntity;
}

/** Keyset pages run newest first; an ascending list is the same scan with the direction flipped. */
function orderedKeyset(page: KeysetRequest, sort: 'ASC' | 'DESC'): KeysetRequest {
  return sort === 'DESC' ? page : { ...page, direction: page.direction === 'next' ? 'prev' : 'next' };
}

@Injectable()
export class PortalLinksRepository {
  constructor(
    @InjectRepository(PortalLinkEntity) private readonly links: Repository<PortalLinkEntity>,
    @InjectRepository(PortalLinkTokenEntity) private readonly tokens: Repository<PortalLinkTokenEntity>,
  ) {}

  /** Inserts the link and its first token; `alongside` runs in the same transaction (other owners' rows). */
  async insert(link: PortalLinkEntity, token: PortalLinkTokenEntity, alongside: (tx: Tx) => Promise<void>): Promise<void> {
    await this.links.manager.transaction(async (m) => {
      await m.insert(PortalLinkEntity, link);
      await m.insert(PortalLinkTokenEntity, token);
      await alongside(m);
    });
  }

  findLive(projectId: string, id: string): Promise<PortalLinkEntity | null> {
    return this.links.findOne({ where: { id, projectId, deletedAt: IsNull() } });
  }

  list(projectId: string, f: PortalLinkListFilter, page: KeysetRequest, sort: 'ASC' | 'DESC'): Promise<PortalLinkEntity[]> {
    const qb = this.links.createQueryBuilder('l').where('l.project_id = :projectId AND l.deleted_at IS NULL', { projectId });
    if (f.ownerId) qb.andWhere('l.owner_id = :ownerId', { ownerId: f.ownerId });
    if (f.q) qb.andWhere(`l.name ILIKE :q ESCAPE '\\'`, { q: `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    return applyKeyset(qb, 'l', orderedKeyset(page, sort)).getMany();
  }

  /**
   * Updates the live link under a row lock. `change` sees the stored row and returns the
   * patch; `token`, when given, replaces every live token of the link in the same
   * transaction; `alongside` runs there too. Null when the link is not live.
   */
  update(
    projectId: string,
    id: string,
    change: (row: PortalLinkEntity) => { patch: Partial<PortalLinkEntity>; token?: PortalLinkTokenEntity },
    alongside: (tx: Tx, after: PortalLinkEntity) => Promise<void>,
  ): Promise<PortalLinkEntity | null> {
    return this.links.manager.transaction(async (m) => {
      const row = await m.findOne(PortalLinkEntity, { where: { id, projectId, deletedAt: IsNull() }, lock: { mode: 'pessimistic_write' } });
      if (!row) return null;
      const { patch, token } = change(row);
      const after = { ...row, ...patch, updatedAt: new Date() };
      await m.update(PortalLinkEntity, { id }, { ...patch, updatedAt: after.updatedAt });
      if (token) {
        await m.update(PortalLinkTokenEntity, { portalLinkId: id, revokedAt: IsNull() }, { revokedAt: new Date() });
        await m.insert(PortalLinkTokenEntity, token);
      }
      await alongside(m, after);
      return after;
    });
  }

  /** Soft-deletes the link and revokes its tokens in one transaction; false when it was not live. */
  revoke(projectId: string, id: string): Promise<boolean> {
    return this.links.manager.transaction(async (m) => {
      const now = new Date();
      const res = await m.update(PortalLinkEntity, { id, projectId, deletedAt: IsNull() }, { deletedAt: now, updatedAt: now });
      if ((res.affected ?? 0) === 0) return false;
      await m.update(PortalLinkTokenEntity, { portalLinkId: id, revokedAt: IsNull() }, { revokedAt: now });
      return true;
    });
  }

  /** For a project's deletion, in its transaction: every link of the project and their tokens stop at once. */
  async revokeAllOfProject(tx: Tx, projectId: string): Promise<void> {
    await tx.query(
      `UPDATE portal_link_tokens SET revoked_at = now()
       WHERE revoked_at IS NULL AND portal_link_id IN (SELECT id FROM portal_links WHERE project_id = $1)`,
      [projectId],
    );
    await tx.query(`UPDATE portal_links SET deleted_at = now(), updated_at = now() WHERE project_id = $1 AND deleted_at IS NULL`, [projectId]);
  }

  /**
   * The token with this mask, if it opens its link at this moment. Read from PostgreSQL on
   * every request (no cache), so a revoke or refresh is seen by every pod at once.
   */
  async findOpen(maskId: string): Promise<OpenToken | null> {
    const token = await this.tokens
      .createQueryBuilder('t')
      .where('t.mask_id = :maskId AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())', { maskId })
      .getOne();
    if (!token) return null;
    const link = await this.links.findOne({ where: { id: token.portalLinkId, deletedAt: IsNull() } });
    if (!link || link.authType !== token.kind) return null;
    return { token, link };
  }
}
