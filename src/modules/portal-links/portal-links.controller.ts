import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ErrorEnvelopeDto } from '../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import { ProjectAccess } from '../auth';
import { CreatePortalLinkDto, ListPortalLinksQueryDto, PortalLinkResponseDto, UpdatePortalLinkDto } from './dto/portal-link.dto';
import { PortalLinkPresenter } from './portal-link.presenter';
import { PortalLinksService } from './portal-links.service';

@ApiTags('Portal links')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/portal-links')
export class PortalLinksController {
  constructor(
    private readonly links: PortalLinksService,
    private readonly presenter: PortalLinkPresenter,
  ) {}

  /** Creates a link; its token is in this answer only (`token`, or `auth_key` for `refresh_token` links). */
  @Post()
  @ApiEnvelope(PortalLinkResponseDto, { status: 201 })
  @ApiResponse({ status: 400, description: 'an endpoint in `endpoints` has another owner (`endpoint_owned_elsewhere`)', type: ErrorEnvelopeDto })
  async create(@Param('projectID') projectId: string, @Body() body: CreatePortalLinkDto): Promise<Envelope<PortalLinkResponseDto>> {
    const issued = await this.links.create(projectId, body);
    return ok('Portal link created successfully', await this.presenter.one(issued.link, issued.token));
  }

  @Get()
  @ApiEnvelope(PortalLinkResponseDto, { page: true })
  async list(@Param('projectID') projectId: string, @Query() q: ListPortalLinksQueryDto): Promise<Envelope<Page<PortalLinkResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.links.list(projectId, q, req);
    const map = await this.presenter.mapper(projectId, rows);
    return ok(
      'Portal links fetched successfully',
      toPage(rows, req, (l) => map(l)),
    );
  }

  @Get(':portalLinkID')
  @ApiEnvelope(PortalLinkResponseDto)
  async get(@Param('projectID') projectId: string, @Param('portalLinkID') id: string): Promise<Envelope<PortalLinkResponseDto>> {
    return ok('Portal link fetched successfully', await this.presenter.one(await this.links.get(projectId, id)));
  }

  /** Replaces the link's settings; a new auth type revokes its tokens and issues one, shown in this answer. */
  @Put(':portalLinkID')
  @HttpCode(202)
  @ApiEnvelope(PortalLinkResponseDto, { status: 202 })
  async update(
    @Param('projectID') projectId: string,
    @Param('portalLinkID') id: string,
    @Body() body: UpdatePortalLinkDto,
  ): Promise<Envelope<PortalLinkResponseDto>> {
    const issued = await this.links.update(projectId, id, body);
    return ok('Portal link updated successfully', await this.presenter.one(issued.link, issued.token));
  }

  /** The link and all its tokens stop working at once. */
  @Put(':portalLinkID/revoke')
  @ApiEnvelope(null)
  async revoke(@Param('projectID') projectId: string, @Param('portalLinkID') id: string): Promise<Envelope<null>> {
    await this.links.revoke(projectId, id);
    return ok('Portal link revoked successfully', null);
  }

  /** A new token for the link, as `data`; every earlier token of the link stops working. */
  @Get(':portalLinkID/refresh_token')
  @ApiEnvelope(String, { description: 'the new token' })
  async refreshToken(@Param('projectID') projectId: string, @Param('portalLinkID') id: string): Promise<Envelope<string>> {
    const issued = await this.links.refreshToken(projectId, id);
    return ok('Portal link token refreshed successfully', issued.token ?? '');
  }
}
