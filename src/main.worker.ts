import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { assertNodeVersion, loadConfig } from '../libs/config';
import { WorkerModule } from './app/worker.module';

export async function runWorker(): Promise<() => Promise<void>> {
  assertNodeVersion();
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  return () => app.close();
}

if (require.main === module) {
  runWorker().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
