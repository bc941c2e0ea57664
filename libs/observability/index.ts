export * from './logger.module';
export * from './metrics';
export * from './metrics-access';
export * from './redact-url';
export * from './dependency-log';
export * from './quiet-startup-logger';
