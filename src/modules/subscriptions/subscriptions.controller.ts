import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ProjectAccess } from '../auth';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import { CreateSubscriptionDto, ListSubscriptionsQueryDto, SubscriptionResponseDto, TestFilterDto, UpdateSubscriptionDto } from './dto/subscription.dto';
import { SubscriptionPresenter } from './subscription.presenter';
import { SubscriptionsService } from './subscriptions.service';

@ApiTags('Subscriptions')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/subscriptions')
export class SubscriptionsController {
  constructor(
    private readonly subscriptions: SubscriptionsService,
    private readonly presenter: SubscriptionPresenter,
  ) {}

  @Post()
  async create(@Param('projectID') projectId: string, @Body() body: CreateSubscriptionDto): Promise<Envelope<SubscriptionResponseDto>> {
    return ok('Subscription created successfully', await this.presenter.one(await this.subscriptions.create(projectId, body)));
  }

  @Get()
  async list(@Param('projectID') projectId: string, @Query() q: ListSubscriptionsQueryDto): Promise<Envelope<Page<SubscriptionResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.subscriptions.list(projectId, q, req);
    return ok('Subscriptions fetched successfully', toPage(rows, req, await this.presenter.mapper(projectId, rows)));
  }

  /** Whether a sample request matches a filter, before saving it. */
  @Post('test_filter')
  @HttpCode(200)
  testFilter(@Body() body: TestFilterDto): Envelope<boolean> {
    return ok('Filter validated successfully', this.subscriptions.testFilter(body));
  }

  @Get(':subscriptionID')
  async get(@Param('projectID') projectId: string, @Param('subscriptionID') id: string): Promise<Envelope<SubscriptionResponseDto>> {
    return ok('Subscription fetched successfully', await this.presenter.one(await this.subscriptions.get(projectId, id)));
  }

  @Put(':subscriptionID')
  @HttpCode(202)
  async update(@Param('projectID') projectId: string, @Param('subscriptionID') id: string, @Body() body: UpdateSubscriptionDto): Promise<Envelope<SubscriptionResponseDto>> {
    return ok('Subscription updated successfully', await this.presenter.one(await this.subscriptions.update(projectId, id, body)));
  }

  /** Convoy keeps this route for old clients and does nothing; subscriptions have no status. */
  @Put(':subscriptionID/toggle_status')
  @HttpCode(202)
  async toggleStatus(@Param('projectID') projectId: string, @Param('subscriptionID') id: string): Promise<Envelope<null>> {
    await this.subscriptions.get(projectId, id);
    return ok('Subscription status updated successfully', null);
  }

  @Delete(':subscriptionID')
  @HttpCode(200)
  async delete(@Param('projectID') projectId: string, @Param('subscriptionID') id: string): Promise<Envelope<null>> {
    await this.subscriptions.delete(projectId, id);
    return ok('Subscription deleted successfully', null);
  }
}
