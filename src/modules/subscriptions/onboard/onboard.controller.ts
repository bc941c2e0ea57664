import { Body, Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
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

  /** Creates an endpoint and a subscription per item (JSON); with `dry_run=true` only checks them. */
  @Post()
  @HttpCode(202)
  @ApiEnvelope(BulkOnboardAcceptedResponseDto, { status: 202 })
  async onboard(
    @Param('projectID') projectId: string,
    @Query() q: OnboardQueryDto,
    @Body() body: BulkOnboardDto,
  ): Promise<Envelope<BulkOnboardAcceptedResponseDto | BulkOnboardDryRunResponseDto>> {
    if (q.dry_run) return ok('Dry run completed', await this.onboarding.validate(projectId, body.items));
    return ok('Onboarding completed', await this.onboarding.onboard(projectId, body.items));
  }
}
