import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '../../libs/config';
import { ApiModule } from './api.module';
import { buildOpenApiDocument } from './api.bootstrap';

/**
 * Prints the OpenAPI document without connecting anywhere: the modules are built with
 * `preview`, so no database or Redis is needed.
 */
export async function openApiJson(): Promise<string> {
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(loadConfig()), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  const doc = buildOpenApiDocument(app);
  await app.close();
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export async function printOpenApi(): Promise<void> {
  process.stdout.write(await openApiJson());
}
