export { HealthModule } from './health.module';
export { HealthChecks } from './health.checks';
export { HealthController } from './health.controller';
