export * from './queue-names';
export * from './redis-options';
export * from './redis-connection';
export * from './queue.module';
export * from './redis.module';
export * from './queue-worker';
export * from './invalidation-bus';
export * from './lua-script';
