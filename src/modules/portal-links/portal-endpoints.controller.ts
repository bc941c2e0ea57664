import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { BreakerStateReader } from '../../../libs/endpoint-health';
import { ApiEnvelope } from '../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import { CreateEndpointDto, EndpointPresenter, EndpointResponseDto, EndpointsService, ExpireSecretDto, UpdateEndpointDto } from '../endpoints';
import { PortalEndpointsQueryDto } from './dto/portal-query.dto';
import { ManagesEndpoints, PortalApi, Session } from './portal-auth.guard';
import type { PortalSession } from './portal-links.service';

/** A portal answer about an endpoint: the signing secrets' values only in the answer that made them. */
export function withoutSecretValues(e: EndpointResponseDto): EndpointResponseDto {
  return { ...e, secrets: e.secrets.map((s) => ({ ...s, value: '' })) };
}

/** The link owner's endpoints; another owner's id answers 404 as if it did not exist. */
@ApiTags('Portal API')
@PortalApi()
@Controller('portal-api/endpoints')
export class PortalEndpointsController {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly presenter: EndpointPresenter,
    private readonly health: BreakerStateReader,
  ) {}

  @Get()
  @ApiEnvelope(EndpointResponseDto, { page: true })
  async list(@Session() s: PortalSession, @Query() q: PortalEndpointsQueryDto): Promise<Envelope<Page<EndpointResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.endpoints.list(s.link.projectId, { ...q, ownerId: s.link.ownerId }, req);
    const health = await this.health.read(rows.map((e) => e.id));
    return ok(
      'Endpoints fetched successfully',
      toPage(rows, req, (e) => withoutSecretValues(this.presenter.toResponse(e, health.get(e.id)))),
    );
  }

  @Get(':endpointID')
  @ApiEnvelope(EndpointResponseDto)
  async get(@Session() s: PortalSession, @Param('endpointID') id: string): Promise<Envelope<EndpointResponseDto>> {
    const e = await this.endpoints.getOwned(s.link.projectId, s.link.ownerId, id);
    const health = await this.health.read([e.id]);
    return ok('Endpoint fetched successfully', withoutSecretValues(this.presenter.toResponse(e, health.get(e.id))));
  }

  /** Creates an endpoint of the link's owner; its signing secret is shown in this answer only. */
  @Post()
  @ManagesEndpoints()
  @ApiEnvelope(EndpointResponseDto, { status: 201 })
  async create(@Session() s: PortalSession, @Body() body: CreateEndpointDto): Promise<Envelope<EndpointResponseDto>> {
    const e = await this.endpoints.create(s.link.projectId, { ...body, owner_id: s.link.ownerId });
    return ok('Endpoint created successfully', this.presenter.toResponse(e));
  }

  /** `owner_id` cannot be changed from the portal. */
  @Put(':endpointID')
  @ManagesEndpoints()
  @HttpCode(202)
  @ApiEnvelope(EndpointResponseDto, { status: 202 })
  async update(@Session() s: PortalSession, @Param('endpointID') id: string, @Body() body: UpdateEndpointDto): Promise<Envelope<EndpointResponseDto>> {
    await this.endpoints.getOwned(s.link.projectId, s.link.ownerId, id);
    const e = await this.endpoints.update(s.link.projectId, id, { ...body, owner_id: undefined });
    return ok('Endpoint updated successfully', withoutSecretValues(this.presenter.toResponse(e)));
  }

  @Delete(':endpointID')
  @ManagesEndpoints()
  @HttpCode(200)
  @ApiEnvelope(null)
  async delete(@Session() s: PortalSession, @Param('endpointID') id: string): Promise<Envelope<null>> {
    await this.endpoints.getOwned(s.link.projectId, s.link.ownerId, id);
    await this.endpoints.delete(s.link.projectId, id);
    return ok('Endpoint deleted successfully', null);
  }

  /** Toggles the endpoint between active and paused. */
  @Put(':endpointID/pause')
  @ManagesEndpoints()
  @HttpCode(202)
  @ApiEnvelope(EndpointResponseDto, { status: 202 })
  async pause(@Session() s: PortalSession, @Param('endpointID') id: string): Promise<Envelope<EndpointResponseDto>> {
    await this.endpoints.getOwned(s.link.projectId, s.link.ownerId, id);
    const e = await this.endpoints.togglePause(s.link.projectId, id);
    return ok('endpoint status updated successfully', withoutSecretValues(this.presenter.toResponse(e)));
  }

  /** Rolls the signing secret; the answer shows the secrets, the new one included. */
  @Put(':endpointID/expire_secret')
  @ManagesEndpoints()
  @HttpCode(200)
  @ApiEnvelope(EndpointResponseDto)
  async expireSecret(@Session() s: PortalSession, @Param('endpointID') id: string, @Body() body: ExpireSecretDto): Promise<Envelope<EndpointResponseDto>> {
    await this.endpoints.getOwned(s.link.projectId, s.link.ownerId, id);
    return ok('endpoint secret expired successfully', this.presenter.toResponse(await this.endpoints.expireSecret(s.link.projectId, id, body)));
  }
}
