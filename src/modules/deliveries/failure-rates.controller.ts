import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../../common/http/api-envelope.decorator';
import { Envelope, ok } from '../../common/http/envelope';
import { ProjectAccess } from '../auth';
import { DeliveriesService } from './deliveries.service';
import { EndpointPeriodFailureRateDto, PeriodFailureRatesQueryDto } from './dto/failure-rates.dto';

/** Convoy's per-endpoint failure rates over a period, from the deliveries (which this module owns). */
@ApiTags('Endpoints')
@ProjectAccess()
@Controller('api/v1/projects/:projectID/endpoints/period-failure-rates')
export class FailureRatesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  /** Deliveries that succeeded and failed per endpoint over a period (default: the last 24 hours). */
  @Get()
  @ApiEnvelope(EndpointPeriodFailureRateDto, { array: true })
  async get(@Param('projectID') projectId: string, @Query() q: PeriodFailureRatesQueryDto): Promise<Envelope<EndpointPeriodFailureRateDto[]>> {
    const rates = await this.deliveries.periodFailureRates(
      projectId,
      q.endpointId,
      q.startDate ? new Date(q.startDate) : undefined,
      q.endDate ? new Date(q.endDate) : undefined,
    );
    return ok('Endpoint failure rates fetched successfully', rates);
  }
}
