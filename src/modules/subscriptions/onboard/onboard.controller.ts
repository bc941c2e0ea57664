import { Body, Controller, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../../common/http/envelope';
import { ProjectAccess } from '../../auth';
import { BulkOnboardAcceptedResponseDto, BulkOnboardDryRunResponseDto, BulkOnboardDto, OnboardQueryDto } from './onboard.dto';
import { OnboardService } from './onboard.service';

@ApiTags('Onboard')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/onboard')
export class OnboardController {
  constructor(private readonly onboarding: OnboardService) {}

  /** Creates an endpoint and a subscription per item (JSON), 202; with `dry_run=true` only checks them, 200 (Convoy's statuses). */
  @Post()
  @HttpCode(202)
  @ApiEnvelope(BulkOnboardAcceptedResponseDto, { status: 202 })
  @ApiEnvelope(BulkOnboardDryRunResponseDto, { status: 200, description: 'the dry run' })
  async onboard(
    @Param('projectID') projectId: string,
    @Query() q: OnboardQueryDto,
    @Body() body: BulkOnboardDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Envelope<BulkOnboardAcceptedResponseDto | BulkOnboardDryRunResponseDto>> {
    if (q.dry_run) {
      reply.status(200);
      return ok('Dry run completed', await this.onboarding.validate(projectId, body.items));
    }
    return ok('Onboarding completed', await this.onboarding.onboard(projectId, body.items));
  }
}
