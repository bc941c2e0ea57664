import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../common/http/envelope';
import { Page, toPage, toPageRequest } from '../../common/http/pagination.dto';
import { ProjectAccess } from '../auth';
import { BrokerRejectionEntity } from './broker-rejection.entity';
import { BrokerRejectionsService } from './broker-rejections.service';
import { BrokerRejectionResponseDto, ListBrokerRejectionsQueryDto } from './dto/broker-rejection.dto';

@ApiTags('Sources')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/sources/:sourceID/rejections')
export class BrokerRejectionsController {
  constructor(private readonly rejections: BrokerRejectionsService) {}

  /** Caravan: the messages of a pub/sub source that could never become events (malformed or unroutable), newest first. */
  @Get()
  @ApiEnvelope(BrokerRejectionResponseDto, { page: true })
  async list(
    @Param('projectID') projectId: string,
    @Param('sourceID') sourceId: string,
    @Query() q: ListBrokerRejectionsQueryDto,
  ): Promise<Envelope<Page<BrokerRejectionResponseDto>>> {
    const req = toPageRequest(q);
    const rows = await this.rejections.list(projectId, sourceId, req);
    return ok('Rejections fetched successfully', toPage(rows, req, present));
  }
}

function present(r: BrokerRejectionEntity): BrokerRejectionResponseDto {
  return {
    uid: r.id,
    project_id: r.projectId,
    source_id: r.sourceId,
    broker_message_id: r.brokerMessageId,
    reason: r.reason,
    headers: r.headers,
    body: r.body,
    dead_lettered: r.deadLettered,
    created_at: r.createdAt.toISOString(),
  };
}
