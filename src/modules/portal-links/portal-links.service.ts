import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { constantTimeEqual } from '../../common/crypto/secret-box';
import { notFound } from '../../common/errors/domain-error';
import { PageRequest } from '../../common/http/pagination.dto';
import { newId } from '../../common/ids';
import { EndpointsService } from '../endpoints';
import { ProjectsService } from '../projects';
import { CreatePortalLinkDto, ListPortalLinksQueryDto, UpdatePortalLinkDto } from './dto/portal-link.dto';
import { PortalAuthType, PortalLinkEntity, PortalLinkTokenEntity } from './portal-link.entity';
import { PortalLinksRepository } from './portal-links.repository';
import { generatePortalToken, hashPortalSecret, parsePortalToken } from './portal-token';

/** A link with the token an answer shows once (only the answer that issued it). */
export interface IssuedLink {
  link: PortalLinkEntity;
  token?: string;
}

/** The portal session of one request: the link its token opened. */
export interface PortalSession {
  link: PortalLinkEntity;
  tokenExpiresAt: Date | null;
}

/**
 * Portal links and their tokens. A token is checked against PostgreSQL on every portal
 * request (no per-process cache), so a revoke or a refresh stops the old token on every
 * pod at once.
 */
@Injectable()
export class PortalLinksService implements OnModuleInit, OnModuleDestroy {
  private unregister?: () => void;

  constructor(
    private readonly links: PortalLinksRepository,
    private readonly projects: ProjectsService,
    private readonly endpoints: EndpointsService,
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
  ) {}

  /** A deleted project's links stop working in the deletion's own transaction. */
  onModuleInit(): void {
    this.unregister = this.projects.onDeleting((tx, projectId) => this.links.revokeAllOfProject(tx, projectId));
  }

  onModuleDestroy(): void {
    this.unregister?.();
  }

  async create(projectId: string, dto: CreatePortalLinkDto): Promise<IssuedLink> {
    await this.projects.get(projectId);
    const now = new Date();
    const id = newId();
    const authType: PortalAuthType = dto.auth_type ?? 'static_token';
    const link: PortalLinkEntity = {
      id,
      projectId,
      name: dto.name,
      // Convoy's default: a link without an owner id is an owner of its own
      ownerId: dto.owner_id || id,
      authType,
      canManageEndpoint: dto.can_manage_endpoint ?? false,
      endpoints: [...new Set(dto.endpoints ?? [])],
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    const issued = this.newToken(id, authType, now);
    await this.links.insert(link, issued.row, (tx) => this.endpoints.claimForOwner(tx, projectId, link.endpoints, link.ownerId));
    return { link, token: issued.token };
  }

  async get(projectId: string, id: string): Promise<PortalLinkEntity> {
    await this.projects.getCached(projectId);
    const link = await this.links.findLive(projectId, id);
    if (!link) throw notFound('portal link');
    return link;
  }

  async list(projectId: string, q: ListPortalLinksQueryDto, page: PageRequest): Promise<PortalLinkEntity[]> {
    await this.projects.getCached(projectId);
    return this.links.list(projectId, { ownerId: q.ownerId, q: q.q }, page, q.sort ?? 'DESC');
  }

  /**
   * Convoy's update: the settings as a whole, except that a missing `owner_id` or
   * `auth_type` keeps the current one. A change of auth type revokes the link's
   * tokens and issues one of the new type, shown in this answer only.
   */
  async update(projectId: string, id: string, dto: UpdatePortalLinkDto): Promise<IssuedLink> {
    await this.projects.get(projectId);
    let token: string | undefined;
    const after = await this.links.update(
      projectId,
      id,
      (row) => {
        // an update that leaves auth_type out keeps it (Convoy would fall back to static_token),
        // since here a change of type revokes the tokens in use
        const authType: PortalAuthType = dto.auth_type ?? row.authType;
        const patch: Partial<PortalLinkEntity> = {
          name: dto.name,
          ownerId: dto.owner_id || row.ownerId,
          authType,
          canManageEndpoint: dto.can_manage_endpoint ?? false,
          endpoints: [...new Set(dto.endpoints ?? [])],
        };
        if (authType === row.authType) return { patch };
        const issued = this.newToken(id, authType, new Date());
        token = issued.token;
        return { patch, token: issued.row };
      },
      (tx, link) => this.endpoints.claimForOwner(tx, projectId, link.endpoints, link.ownerId),
    );
    if (!after) throw notFound('portal link');
    return { link: after, token };
  }

  /** The link and every token of it stop working at once, on every pod. */
  async revoke(projectId: string, id: string): Promise<void> {
    await this.projects.get(projectId);
    if (!(await this.links.revoke(projectId, id))) throw notFound('portal link');
  }

  /** A new token for the link (of its auth type); every earlier token stops working in the same commit. */
  async refreshToken(projectId: string, id: string): Promise<IssuedLink> {
    await this.projects.get(projectId);
    let token: string | undefined;
    const after = await this.links.update(
      projectId,
      id,
      (row) => {
        const issued = this.newToken(id, row.authType, new Date());
        token = issued.token;
        return { patch: {}, token: issued.row };
      },
      () => Promise.resolve(),
    );
    if (!after) throw notFound('portal link');
    return { link: after, token };
  }

  /** The session a portal token opens, or undefined (unknown, revoked, expired, or a token of another auth type). */
  async authenticate(token: string): Promise<PortalSession | undefined> {
    const parsed = parsePortalToken(token);
    if (!parsed) return undefined;
    const found = await this.links.findOpen(parsed.maskId);
    if (!found || !constantTimeEqual(hashPortalSecret(parsed.secret, found.token.salt), found.token.hash)) return undefined;
    return { link: found.link, tokenExpiresAt: found.token.expiresAt };
  }

  /** `<base>/portal`, with the token when there is one to show. */
  portalUrl(token?: string): string {
    const base = (this.config.portalBaseUrl ?? this.config.ingestBaseUrl ?? `http://localhost:${this.config.port}`).replace(/\/+$/, '');
    return token ? `${base}/portal?token=${encodeURIComponent(token)}` : `${base}/portal`;
  }

  private newToken(linkId: string, kind: PortalAuthType, now: Date): { token: string; row: PortalLinkTokenEntity } {
    const g = generatePortalToken();
    return {
      token: g.token,
      row: {
        id: newId(),
        portalLinkId: linkId,
        kind,
        maskId: g.maskId,
        salt: g.salt,
        hash: g.hash,
        expiresAt: kind === 'refresh_token' ? new Date(now.getTime() + this.config.portalTokenTtlSeconds * 1000) : null,
        revokedAt: null,
        createdAt: now,
      },
    };
  }
}
