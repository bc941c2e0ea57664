import { Controller, Get, Header, Headers, Inject, Res } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { metricsAllowed } from '../../../libs/observability';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { HealthMetrics } from '../../../libs/observability/metrics';
import { Public } from '../auth';

/** Prometheus text for scrapers, outside the API document and the API key check; METRICS_TOKEN opens it (metricsAllowed). */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: HealthMetrics,
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
  ) {}

  @Get()
  @Header('cache-control', 'no-store')
  async scrape(@Res() reply: FastifyReply, @Headers('authorization') authorization?: string): Promise<void> {
    if (!metricsAllowed(this.config.metricsToken, authorization, true)) {
      await reply.code(404).header('content-type', 'application/json').send({ status: false, message: 'not found', code: 'not_found' });
      return;
    }
    const { contentType, body } = await this.metrics.render();
    await reply.header('content-type', contentType).send(body);
  }
}
