export * from './health-keys';
export * from './breaker-state.reader';
