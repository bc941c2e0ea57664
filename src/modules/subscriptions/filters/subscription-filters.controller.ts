import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiResponse, ApiTags, getSchemaPath, ApiExtraModels } from '@nestjs/swagger';
import { ApiEnvelope, ErrorEnvelopeDto } from '../../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../../common/http/envelope';
import { ProjectAccess } from '../../auth';
import { BulkUpdateFilterDto, CreateFilterDto, FilterResponseDto, TestFilterResponseDto, TestSubscriptionFilterDto, UpdateFilterDto } from './filter.dto';
import { toFilterResponse } from './filter.presenter';
import { SubscriptionFiltersService } from './subscription-filters.service';

/** Convoy answers the list and bulk routes with a bare array of filters as `data`. */
const FILTER_LIST_ENVELOPE = {
  type: 'object',
  properties: {
    status: { type: 'boolean' },
    message: { type: 'string' },
    data: { type: 'array', items: { $ref: getSchemaPath(FilterResponseDto) } },
  },
  required: ['status', 'message', 'data'],
};

@ApiTags('Filters')
@ApiExtraModels(FilterResponseDto, CreateFilterDto, BulkUpdateFilterDto)
@ApiResponse({ status: 404, description: 'the subscription or filter is not in this project', type: ErrorEnvelopeDto })
@ProjectAccess()
@Controller('api/v1/projects/:projectID/subscriptions/:subscriptionID/filters')
export class SubscriptionFiltersController {
  constructor(private readonly filters: SubscriptionFiltersService) {}

  @Get()
  @ApiResponse({ status: 200, description: 'the filters of the subscription, newest first', schema: FILTER_LIST_ENVELOPE })
  async list(@Param('projectID') projectId: string, @Param('subscriptionID') subscriptionId: string): Promise<Envelope<FilterResponseDto[]>> {
    return ok('Filters retrieved successfully', (await this.filters.list(projectId, subscriptionId)).map(toFilterResponse));
  }

  @Post()
  @ApiEnvelope(FilterResponseDto, { status: 201 })
  @ApiResponse({ status: 400, description: 'invalid filter, or the event type has a filter already', type: ErrorEnvelopeDto })
  async create(
    @Param('projectID') projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Body() body: CreateFilterDto,
  ): Promise<Envelope<FilterResponseDto>> {
    return ok('Filter created successfully', toFilterResponse(await this.filters.create(projectId, subscriptionId, body)));
  }

  /** All or nothing: with any problem no filter is created. */
  @Post('bulk')
  @ApiBody({ schema: { type: 'array', items: { $ref: getSchemaPath(CreateFilterDto) } } })
  @ApiResponse({ status: 201, description: 'the filters created', schema: FILTER_LIST_ENVELOPE })
  @ApiResponse({ status: 400, description: 'invalid input; `data.errors` names each field', type: ErrorEnvelopeDto })
  async bulkCreate(
    @Param('projectID') projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Body() body: unknown,
  ): Promise<Envelope<FilterResponseDto[]>> {
    return ok('Filters created successfully', (await this.filters.bulkCreate(projectId, subscriptionId, body)).map(toFilterResponse));
  }

  /** All or nothing: with any problem no filter is changed. */
  @Put('bulk_update')
  @ApiBody({ schema: { type: 'array', items: { $ref: getSchemaPath(BulkUpdateFilterDto) } } })
  @ApiResponse({ status: 200, description: 'the filters updated', schema: FILTER_LIST_ENVELOPE })
  @ApiResponse({ status: 400, description: 'invalid input; `data.errors` names each field', type: ErrorEnvelopeDto })
  async bulkUpdate(
    @Param('projectID') projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Body() body: unknown,
  ): Promise<Envelope<FilterResponseDto[]>> {
    return ok('Filters updated successfully', (await this.filters.bulkUpdate(projectId, subscriptionId, body)).map(toFilterResponse));
  }

  /** Whether a sample request passes the filter routing would use for the event type. */
  @Post('test/:eventType')
  @HttpCode(200)
  @ApiEnvelope(TestFilterResponseDto)
  async test(
    @Param('projectID') projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Param('eventType') eventType: string,
    @Body() body: TestSubscriptionFilterDto,
  ): Promise<Envelope<TestFilterResponseDto>> {
    return ok('Filter test completed', { is_match: await this.filters.test(projectId, subscriptionId, eventType, body) });
  }

  @Get(':filterID')
  @ApiEnvelope(FilterResponseDto)
  async get(
    @Param('projectID') projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Param('filterID') id: string,
  ): Promise<Envelope<FilterResponseDto>> {
    return ok('Filter retrieved successfully', toFilterResponse(await this.filters.get(projectId, subscriptionId, id)));
  }

  @Put(':filterID')
  @ApiEnvelope(FilterResponseDto)
  @ApiResponse({ status: 400, description: 'invalid filter, or the new event type has a filter already', type: ErrorEnvelopeDto })
  async update(
    @Param('projectID') projectId: string,
    @Param('subscriptionID') subscriptionId: string,
    @Param('filterID') id: string,
    @Body() body: UpdateFilterDto,
  ): Promise<Envelope<FilterResponseDto>> {
    return ok('Filter updated successfully', toFilterResponse(await this.filters.update(projectId, subscriptionId, id, body)));
  }

  @Delete(':filterID')
  @HttpCode(200)
  @ApiEnvelope(null)
  async delete(@Param('projectID') projectId: string, @Param('subscriptionID') subscriptionId: string, @Param('filterID') id: string): Promise<Envelope<null>> {
    await this.filters.delete(projectId, subscriptionId, id);
    return ok('Filter deleted successfully', null);
  }
}
