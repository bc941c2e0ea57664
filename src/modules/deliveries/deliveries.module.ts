import { Module } from '@nestjs/common';
import { EventsModule } from '../events';
import { DeliveriesCoreModule } from './deliveries-core.module';
import { DeliveriesRepository } from './deliveries.repository';
import { DeliveriesRetention } from './deliveries-retention';
import { DeliveriesService } from './deliveries.service';

/** Deliveries for the API: reads, resend, force resend, batch retry, release on resume. */
@Module({
  imports: [DeliveriesCoreModule, EventsModule],
  providers: [DeliveriesRepository, DeliveriesService, DeliveriesRetention],
  exports: [DeliveriesService, DeliveriesRetention],
})
export class DeliveriesModule {}
