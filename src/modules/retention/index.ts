export { RetentionModule } from './retention.module';
export { RetentionWorkerModule } from './retention.worker.module';
export { RetentionRunner, RETENTION_LOCK } from './retention.runner';
export type { RetentionReport } from './retention.runner';
export { RetentionScheduler } from './retention.scheduler';
