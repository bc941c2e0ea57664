import { Module } from '@nestjs/common';
import { RetentionModule } from './retention.module';
import { RetentionScheduler } from './retention.scheduler';

/** Worker duty `retention`: the scheduled run (one at a time in the cluster). */
@Module({
  imports: [RetentionModule],
  providers: [RetentionScheduler],
  exports: [RetentionScheduler],
})
export class RetentionWorkerModule {}
