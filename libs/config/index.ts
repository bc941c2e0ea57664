export * from './env.schema';
export * from './load-config';
export * from './config.module';

/** The process's own environment, for the few places (tests, child processes) that must pass it on. */
export function processEnv(): NodeJS.ProcessEnv {
  return process.env;
}
