import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { CaravanConfig, loadConfig } from '../../libs/config';
import { QuietStartupLogger } from '../../libs/observability/quiet-startup-logger';
import { WorkerModule } from './worker.module';

/** The worker role as an application context: no HTTP routes, only consumers and the sweeper. */
export async function createWorkerApp(opts: { config?: CaravanConfig } = {}): Promise<INestApplicationContext> {
  const config = opts.config ?? loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), {
    bufferLogs: true,
    // a failed start-up is the caller's to report (one line, see reportFatal)
    abortOnError: false,
    autoFlushLogs: false,
  });
  app.useLogger(new QuietStartupLogger(app.get(Logger)));
  app.flushLogs();
  await app.init();
  return app;
}
