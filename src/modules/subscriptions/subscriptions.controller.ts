import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ErrorEnvelopeDto } from '../../common/http/api-envelope.decorator';
import { ProjectAccess } from '../auth';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import { CreateSubscriptionDto, ListSubscriptionsQueryDto, SubscriptionResponseDto, TestFilterDto, UpdateSubscriptionDto } from './dto/subscription.dto';
import { SubscriptionPresenter } from './subscription.presenter';
import { SubscriptionsService } from './subscriptions.service';
import { ReadsFromReplica } from '../../../libs/database/replica-reads';

/** Convoy answers test_filter with a bare boolean as `data`. */
const BOOLEAN_ENVELOPE = {
  type: 'object',
  properties: { status: { type: 'boolean' }, message: { type: 'string' }, data: { type: 'boolean' } },
  required: ['status', 'message', 'data'],
};

@ApiTags('Subscriptions')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly presenter: SubscriptionPresenter,
  ) {}

  @Post()
  @ApiEnvelope(SubscriptionResponseDto, { status: 201 })
  @ApiResponse({ status: 409, description: 'the endpoint already has a subscription', type: ErrorEnvelopeDto })
  @ApiResponse({ status: 400, description: 'the filter is invalid or uses an unsupported feature', type: ErrorEnvelopeDto })
  async create(@Param('projectID') projectId: string, @Body() body: CreateSubscriptionDto): Promise<Envelope<SubscriptionResponseDto>> {
    return ok('Subscription created successfully', await this.presenter.one(await this.subscriptions.create(projectId, body)));
  }

  @ReadsFromReplica()
  @Get()
  @ApiEnvelope(SubscriptionResponseDto, { page: true })
  async list(@Param('projectID') projectId: string, @Query() q: ListSubscriptionsQueryDto): Promise<Envelope<Page<SubscriptionResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.subscriptions.list(projectId, q, req);
    return ok('Subscriptions fetched successfully', toPage(rows, req, await this.presenter.mapper(projectId, rows)));
  }

  /** Whether a sample request matches a filter, before saving it. */
  @Post('test_filter')
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'whether the request matches', schema: BOOLEAN_ENVELOPE })
  @ApiResponse({ status: 400, description: 'invalid input; `data.errors` names each field', type: ErrorEnvelopeDto })
  @ApiResponse({ status: 400, description: 'the filter is invalid', type: ErrorEnvelopeDto })
  // the project is only checked by the guard (the key's own); the path parameter is declared so generated clients fill it in
  testFilter(@Param('projectID') _projectId: string, @Body() body: TestFilterDto): Envelope<boolean> {
    return ok('Filter validated successfully', this.subscriptions.testFilter(body));
  }

  @ReadsFromReplica()
  @Get(':subscriptionID')
  @ApiEnvelope(SubscriptionResponseDto)
  async get(@Param('projectID') projectId: string, @Param('subscriptionID') id: string): Promise<Envelope<SubscriptionResponseDto>> {
    return ok('Subscription fetched successfully', await this.presenter.one(await this.subscriptions.get(projectId, id)));
  }

  @Put(':subscriptionID')
  @HttpCode(202)
  @ApiEnvelope(SubscriptionResponseDto, { status: 202 })
  @ApiResponse({ status: 409, description: 'the target endpoint already has a subscription', type: ErrorEnvelopeDto })
  @ApiResponse({ status: 400, description: 'the filter is invalid or uses an unsupported feature', type: ErrorEnvelopeDto })
  async update(
    @Param('projectID') projectId: string,
    @Param('subscriptionID') id: string,
    @Body() body: UpdateSubscriptionDto,
  ): Promise<Envelope<SubscriptionResponseDto>> {
    return ok('Subscription updated successfully', await this.presenter.one(await this.subscriptions.update(projectId, id, body)));
  }

  /** Convoy keeps this route for old clients and does nothing; subscriptions have no status. */
  @Put(':subscriptionID/toggle_status')
  @HttpCode(202)
  @ApiEnvelope(null, { status: 202 })
  async toggleStatus(@Param('projectID') projectId: string, @Param('subscriptionID') id: string): Promise<Envelope<null>> {
    await this.subscriptions.get(projectId, id);
    return ok('Subscription status updated successfully', null);
  }

  @Delete(':subscriptionID')
  @HttpCode(200)
  @ApiEnvelope(null)
  async delete(@Param('projectID') projectId: string, @Param('subscriptionID') id: string): Promise<Envelope<null>> {
    await this.subscriptions.delete(projectId, id);
    return ok('Subscription deleted successfully', null);
  }
}
