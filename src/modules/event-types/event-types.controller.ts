import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope, ErrorEnvelopeDto } from '../../common/http/api-envelope.decorator';
import { ProjectAccess } from '../auth';
import { Envelope, ok } from '../../common/http/envelope';
import { CreateEventTypeDto, EventTypeResponseDto, ImportOpenApiDto, UpdateEventTypeDto } from './dto/event-type.dto';
import { EventTypeEntity } from './event-type.entity';
import { EventTypesService } from './event-types.service';
import { ReadsFromReplica } from '../../../libs/database/replica-reads';

export function toEventTypeResponse(e: EventTypeEntity): EventTypeResponseDto {
  return {
    uid: e.id,
    project_id: e.projectId,
    name: e.name,
    category: e.category,
    description: e.description,
    json_schema: e.jsonSchema,
    deprecated_at: e.deprecatedAt ? e.deprecatedAt.toISOString() : null,
    created_at: e.createdAt.toISOString(),
    updated_at: e.updatedAt.toISOString(),
  };
}

@ApiTags('Event types')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/event-types')
export class EventTypesController {
  constructor(private readonly eventTypes: EventTypesService) {}

  @Post()
  @ApiEnvelope(EventTypeResponseDto, { status: 201 })
  @ApiResponse({ status: 409, description: 'the project already has an event type with this name', type: ErrorEnvelopeDto })
  async create(@Param('projectID') projectId: string, @Body() body: CreateEventTypeDto): Promise<Envelope<EventTypeResponseDto>> {
    return ok('Event type created successfully', toEventTypeResponse(await this.eventTypes.create(projectId, body)));
  }

  /** Creates (or updates) the event types an OpenAPI 3 document's `webhooks` section describes. */
  @Post('import')
  @HttpCode(200)
  @ApiEnvelope(EventTypeResponseDto, { array: true })
  async importOpenApi(@Param('projectID') projectId: string, @Body() body: ImportOpenApiDto): Promise<Envelope<EventTypeResponseDto[]>> {
    const rows = await this.eventTypes.importOpenApi(projectId, body.spec);
    return ok('Event types imported successfully', rows.map(toEventTypeResponse));
  }

  /** Every event type of the project (Convoy returns them unpaged). */
  @ReadsFromReplica()
  @Get()
  @ApiEnvelope(EventTypeResponseDto, { array: true })
  async list(@Param('projectID') projectId: string): Promise<Envelope<EventTypeResponseDto[]>> {
    return ok('Event types fetched successfully', (await this.eventTypes.list(projectId)).map(toEventTypeResponse));
  }

  /** Caravan: one event type by id. */
  @ReadsFromReplica()
  @Get(':eventTypeId')
  @ApiEnvelope(EventTypeResponseDto)
  async get(@Param('projectID') projectId: string, @Param('eventTypeId') id: string): Promise<Envelope<EventTypeResponseDto>> {
    return ok('Event type fetched successfully', toEventTypeResponse(await this.eventTypes.get(projectId, id)));
  }

  @Put(':eventTypeId')
  @HttpCode(202)
  @ApiEnvelope(EventTypeResponseDto, { status: 202 })
  async update(
    @Param('projectID') projectId: string,
    @Param('eventTypeId') id: string,
    @Body() body: UpdateEventTypeDto,
  ): Promise<Envelope<EventTypeResponseDto>> {
    return ok('Event type updated successfully', toEventTypeResponse(await this.eventTypes.update(projectId, id, body)));
  }

  /** Marks the event type deprecated; deprecating again keeps the first date. */
  @Post(':eventTypeId/deprecate')
  @HttpCode(200)
  @ApiEnvelope(EventTypeResponseDto)
  async deprecate(@Param('projectID') projectId: string, @Param('eventTypeId') id: string): Promise<Envelope<EventTypeResponseDto>> {
    return ok('Event type deprecated successfully', toEventTypeResponse(await this.eventTypes.deprecate(projectId, id)));
  }
}
