import { Module } from '@nestjs/common';
import { DeliveriesCoreModule } from './deliveries-core.module';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesService } from './deliveries.service';

/** Deliveries for the API: reads, resend, force resend, batch retry, release on resume. */
@Module({
  imports: [DeliveriesCoreModule],
  providers: [DeliveriesRepository, DeliveriesService],
  exports: [DeliveriesService],
})
export class DeliveriesModule {}
