import { Injectable } from '@nestjs/common';
import { endpointSummary, EndpointsService } from '../endpoints';
import type { EndpointEntity } from '../endpoints';
import { PortalLinkResponseDto } from './dto/portal-link.dto';
import { PortalLinkEntity } from './portal-link.entity';
import { PortalLinksService } from './portal-links.service';

/** Maps links to Convoy's `PortalLinkResponse`, with their owners' endpoints read once per answer. */
@Injectable()
export class PortalLinkPresenter {
  constructor(
    private readonly links: PortalLinksService,
    private readonly endpoints: EndpointsService,
  ) {}

  async one(link: PortalLinkEntity, token?: string): Promise<PortalLinkResponseDto> {
    return (await this.mapper(link.projectId, [link]))(link, token);
  }

  /** Reads the endpoints of every owner among `rows` in one query, then maps each link. */
  async mapper(projectId: string, rows: PortalLinkEntity[]): Promise<(link: PortalLinkEntity, token?: string) => PortalLinkResponseDto> {
    const owned = new Map<string, EndpointEntity[]>();
    for (const e of await this.endpoints.liveOfOwners(
      projectId,
      rows.map((r) => r.ownerId),
    )) {
      owned.set(e.ownerId, [...(owned.get(e.ownerId) ?? []), e]);
    }
    return (link, token) => {
      const eps = owned.get(link.ownerId) ?? [];
      return {
        uid: link.id,
        project_id: link.projectId,
        name: link.name,
        owner_id: link.ownerId,
        url: this.links.portalUrl(token),
        token: token && link.authType === 'static_token' ? token : '',
        auth_key: token && link.authType === 'refresh_token' ? token : '',
        auth_type: link.authType,
        can_manage_endpoint: link.canManageEndpoint,
        endpoints: link.endpoints,
        endpoint_count: eps.length,
        endpoints_metadata: eps.map(endpointSummary),
        created_at: link.createdAt.toISOString(),
        updated_at: link.updatedAt.toISOString(),
        deleted_at: link.deletedAt ? link.deletedAt.toISOString() : null,
      };
    };
  }
}
