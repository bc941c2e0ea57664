import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ErrorEnvelopeDto } from '../../common/http/api-envelope.decorator';
import { BreakerStateReader } from '../../../libs/endpoint-health';
import { ProjectAccess } from '../auth';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import {
  CreateEndpointDto,
  EndpointResponseDto,
  ExpireSecretDto,
  ListEndpointsQueryDto,
  TestOAuth2Dto,
  TestOAuth2ResponseDto,
  UpdateEndpointDto,
} from './dto/endpoint.dto';
import { EndpointPresenter } from './endpoint.presenter';
import { EndpointsService } from './endpoints.service';
import { ReadsFromReplica } from '../../../libs/database/replica-reads';

@ApiTags('Endpoints')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/endpoints')
export class EndpointsController {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly presenter: EndpointPresenter,
    private readonly health: BreakerStateReader,
  ) {}

  @Post()
  @ApiEnvelope(EndpointResponseDto, { status: 201 })
  @ApiResponse({ status: 400, description: 'the URL, secret or authentication is refused (see `code`)', type: ErrorEnvelopeDto })
  async create(@Param('projectID') projectId: string, @Body() body: CreateEndpointDto): Promise<Envelope<EndpointResponseDto>> {
    return ok('Endpoint created successfully', this.presenter.toResponse(await this.endpoints.create(projectId, body)));
  }

  /**
   * Asks the token endpoint for a token with these settings (nothing is stored). A token
   * endpoint that fails is a 200 with `success: false` and the reason, as Convoy answers.
   */
  @Post('oauth2/test')
  @HttpCode(200)
  @ApiEnvelope(TestOAuth2ResponseDto)
  @ApiResponse({ status: 400, description: 'the settings are refused (see `code`)', type: ErrorEnvelopeDto })
  async testOauthConnection(@Param('projectID') projectId: string, @Body() body: TestOAuth2Dto): Promise<Envelope<TestOAuth2ResponseDto>> {
    const result = await this.endpoints.testOAuth2(projectId, body.oauth2);
    return ok(result.success ? 'OAuth2 connection test successful' : 'OAuth2 connection test failed', result);
  }

  @ReadsFromReplica()
  @Get()
  @ApiEnvelope(EndpointResponseDto, { page: true })
  async list(@Param('projectID') projectId: string, @Query() q: ListEndpointsQueryDto): Promise<Envelope<Page<EndpointResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.endpoints.list(projectId, q, req);
    const health = await this.health.read(rows.map((e) => e.id));
    return ok(
      'Endpoints fetched successfully',
      toPage(rows, req, (e) => this.presenter.toResponse(e, health.get(e.id))),
    );
  }

  @ReadsFromReplica()
  @Get(':endpointID')
  @ApiEnvelope(EndpointResponseDto)
  async get(@Param('projectID') projectId: string, @Param('endpointID') id: string): Promise<Envelope<EndpointResponseDto>> {
    const e = await this.endpoints.get(projectId, id);
    const health = await this.health.read([e.id]);
    return ok('Endpoint fetched successfully', this.presenter.toResponse(e, health.get(e.id)));
  }

  @Put(':endpointID')
  @HttpCode(202)
  @ApiEnvelope(EndpointResponseDto, { status: 202 })
  @ApiResponse({ status: 400, description: 'the URL, secret or authentication is refused (see `code`)', type: ErrorEnvelopeDto })
  async update(
    @Param('projectID') projectId: string,
    @Param('endpointID') id: string,
    @Body() body: UpdateEndpointDto,
  ): Promise<Envelope<EndpointResponseDto>> {
    return ok('Endpoint updated successfully', this.presenter.toResponse(await this.endpoints.update(projectId, id, body)));
  }

  @Delete(':endpointID')
  @HttpCode(200)
  @ApiEnvelope(null)
  async delete(@Param('projectID') projectId: string, @Param('endpointID') id: string): Promise<Envelope<null>> {
    await this.endpoints.delete(projectId, id);
    return ok('Endpoint deleted successfully', null);
  }

  /** Toggles the endpoint between active and paused. */
  @Put(':endpointID/pause')
  @HttpCode(202)
  @ApiEnvelope(EndpointResponseDto, { status: 202 })
  @ApiResponse({ status: 409, description: 'the endpoint is inactive; activate it instead', type: ErrorEnvelopeDto })
  async pause(@Param('projectID') projectId: string, @Param('endpointID') id: string): Promise<Envelope<EndpointResponseDto>> {
    return ok('endpoint status updated successfully', this.presenter.toResponse(await this.endpoints.togglePause(projectId, id)));
  }

  /** Makes an inactive or paused endpoint active again. */
  @Post(':endpointID/activate')
  @HttpCode(202)
  @ApiEnvelope(EndpointResponseDto, { status: 202 })
  async activate(@Param('projectID') projectId: string, @Param('endpointID') id: string): Promise<Envelope<EndpointResponseDto>> {
    return ok('endpoint status successfully activated', this.presenter.toResponse(await this.endpoints.activate(projectId, id)));
  }

  /** Same as `POST …/activate`, for clients that send PUT like the pause route. */
  @Put(':endpointID/activate')
  @HttpCode(202)
  @ApiEnvelope(EndpointResponseDto, { status: 202 })
  async activateWithPut(@Param('projectID') projectId: string, @Param('endpointID') id: string): Promise<Envelope<EndpointResponseDto>> {
    return this.activate(projectId, id);
  }

  /** Rolls the signing secret; the old one keeps signing for `expiration` seconds. */
  @Put(':endpointID/expire_secret')
  @HttpCode(200)
  @ApiEnvelope(EndpointResponseDto)
  async expireSecret(
    @Param('projectID') projectId: string,
    @Param('endpointID') id: string,
    @Body() body: ExpireSecretDto,
  ): Promise<Envelope<EndpointResponseDto>> {
    return ok('endpoint secret expired successfully', this.presenter.toResponse(await this.endpoints.expireSecret(projectId, id, body)));
  }
}
