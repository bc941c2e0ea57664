import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import { EndpointsService } from '../endpoints';
import { ProjectsService } from '../projects';
import { SubscriptionPresenter, SubscriptionResponseDto, SubscriptionsService } from '../subscriptions';
import { PortalSessionResponseDto } from './dto/portal-link.dto';
import { PortalSubscriptionsQueryDto } from './dto/portal-query.dto';
import { withoutSecretValues } from './portal-endpoints.controller';
import { PortalLinkPresenter } from './portal-link.presenter';
import { PortalApi, Session } from './portal-auth.guard';
import type { PortalSession } from './portal-links.service';

@ApiTags('Portal API')
@PortalApi()
@Controller('portal-api')
export class PortalSessionController {
  constructor(
    private readonly presenter: PortalLinkPresenter,
    private readonly projects: ProjectsService,
    private readonly endpoints: EndpointsService,
    private readonly subscriptions: SubscriptionsService,
    private readonly subscriptionPresenter: SubscriptionPresenter,
  ) {}

  /** The link the token opened: its project's name, owner and whether it may manage endpoints. */
  @Get('portal_link')
  @ApiEnvelope(PortalSessionResponseDto)
  async portalLink(@Session() s: PortalSession): Promise<Envelope<PortalSessionResponseDto>> {
    const [link, project] = await Promise.all([this.presenter.one(s.link), this.projects.getCached(s.link.projectId)]);
    return ok('Portal link fetched successfully', {
      ...link,
      project_name: project.name,
      token_expires_at: s.tokenExpiresAt ? s.tokenExpiresAt.toISOString() : null,
    });
  }

  /** The subscriptions of the owner's endpoints. */
  @Get('subscriptions')
  @ApiEnvelope(SubscriptionResponseDto, { page: true })
  async subscriptionsList(@Session() s: PortalSession, @Query() q: PortalSubscriptionsQueryDto): Promise<Envelope<Page<SubscriptionResponseDto>>> {
    const req = toPageRequest(q);
    const scope = await this.endpoints.idsOfOwner(s.link.projectId, s.link.ownerId);
    const rows = await this.subscriptions.listForEndpoints(s.link.projectId, scope, q, req);
    const map = await this.subscriptionPresenter.mapper(s.link.projectId, rows);
    return ok(
      'Subscriptions fetched successfully',
      toPage(rows, req, (row) => {
        const out = map(row);
        return out.endpoint_metadata ? { ...out, endpoint_metadata: withoutSecretValues(out.endpoint_metadata) } : out;
      }),
    );
  }

  @Get('subscriptions/:subscriptionID')
  @ApiEnvelope(SubscriptionResponseDto)
  async subscription(@Session() s: PortalSession, @Param('subscriptionID') id: string): Promise<Envelope<SubscriptionResponseDto>> {
    const scope = await this.endpoints.idsOfOwner(s.link.projectId, s.link.ownerId);
    const out = await this.subscriptionPresenter.one(await this.subscriptions.getForEndpoints(s.link.projectId, scope, id));
    return ok('Subscription fetched successfully', out.endpoint_metadata ? { ...out, endpoint_metadata: withoutSecretValues(out.endpoint_metadata) } : out);
  }
}
