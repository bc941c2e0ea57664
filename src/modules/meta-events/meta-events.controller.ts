import { Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import { ProjectAccess } from '../auth';
import { MetaEventResponseDto, MetaEventsQueryDto } from './dto/meta-event.dto';
import type { MetaEventRow } from './meta-events.repository';
import { MetaEventsService } from './meta-events.service';
import { ReadsFromReplica } from '../../../libs/database/replica-reads';

export function toMetaEventResponse(m: MetaEventRow): MetaEventResponseDto {
  const due = m.status === 'Scheduled' || m.status === 'Retry';
  return {
    uid: m.id,
    project_id: m.project_id,
    event_type: m.event_type,
    metadata: {
      data: m.payload,
      raw: JSON.stringify(m.payload),
      strategy: 'linear',
      next_send_time: due ? new Date(m.next_attempt_at).toISOString() : null,
      num_trials: m.attempts,
      retry_limit: m.retry_limit,
      interval_seconds: 0,
      max_retry_seconds: 0,
    },
    attempt: m.last_attempt
      ? {
          request_http_header: m.last_attempt.request_http_header,
          response_http_header: m.last_attempt.response_http_header,
          response_data: m.last_attempt.response_data,
        }
      : null,
    status: m.status,
    created_at: new Date(m.created_at).toISOString(),
    updated_at: new Date(m.updated_at).toISOString(),
    deleted_at: m.deleted_at ? new Date(m.deleted_at).toISOString() : null,
  };
}

@ApiTags('Meta events')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/meta-events')
export class MetaEventsController {
  constructor(private readonly metaEvents: MetaEventsService) {}

  @ReadsFromReplica()
  @Get()
  @ApiEnvelope(MetaEventResponseDto, { page: true })
  async list(@Param('projectID') projectId: string, @Query() q: MetaEventsQueryDto): Promise<Envelope<Page<MetaEventResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.metaEvents.list(projectId, req, {
      start: q.startDate ? new Date(q.startDate) : undefined,
      end: q.endDate ? new Date(q.endDate) : undefined,
    });
    return ok('Meta events fetched successfully', toPage(rows, req, toMetaEventResponse));
  }

  @ReadsFromReplica()
  @Get(':metaEventID')
  @ApiEnvelope(MetaEventResponseDto)
  async get(@Param('projectID') projectId: string, @Param('metaEventID') id: string): Promise<Envelope<MetaEventResponseDto>> {
    return ok('Meta event fetched successfully', toMetaEventResponse(await this.metaEvents.get(projectId, id)));
  }

  /** Sends the meta event once more, whatever became of it. */
  @Put(':metaEventID/resend')
  @ApiEnvelope(MetaEventResponseDto)
  async resend(@Param('projectID') projectId: string, @Param('metaEventID') id: string): Promise<Envelope<MetaEventResponseDto>> {
    return ok('Meta event processed for retry successfully', toMetaEventResponse(await this.metaEvents.resend(projectId, id)));
  }
}
