export * from './test-database';
export * from './test-redis';
export * from './test-config';
export * from './api-harness';
