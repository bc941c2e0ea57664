export * from './test-database';
export * from './test-redis';
export * from './test-config';
export * from './api-harness';
export * from './webhook-sink';
export * from './pipeline-harness';
export * from './wait';
export * from './fixtures';
