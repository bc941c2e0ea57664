import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { CaravanConfig, loadConfig } from '../../libs/config';
import { QuietStartupLogger, REQUEST_ID_HEADER, requestIdFor } from '../../libs/observability';
import { installJsonBodyParser } from '../common/http/json-body';
import { installRequestGuards } from '../common/http/request-guards';
import { validationExceptionFactory } from '../common/http/validation';
import { ApiModule } from './api.module';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { QUEUES } from '../../libs/queue';
import { installQueueDashboard } from '../modules/queue-dashboard';
import { ApiKeysService, authenticateBeforeBody, RequestRateLimiter } from '../modules/auth';
import { IngestGate, installIngestHooks, takesRawBody } from '../modules/ingest';
import { authenticatePortalBeforeBody, PortalLinksService } from '../modules/portal-links';
import { installWebUi } from '../modules/web-ui';
import { createServer, RequestListener } from 'node:http';

export interface ApiAppOptions {
  config?: CaravanConfig;
  /** run the worker's consumers and sweeper in the same application (all-in-one) */
  withWorker?: boolean;
}

export async function createApiApp(opts: ApiAppOptions = {}): Promise<NestFastifyApplication> {
  const config = opts.config ?? loadConfig();
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxBodyBytes,
    // genReqId reads and sanitises the caller's header itself; Fastify would trust it as is
    requestIdHeader: false,
    genReqId: requestIdFor,
    // slow or stuck clients must not hold sockets for ever: headers and the whole request
    // are bounded, and checked every second (Node's default check runs every 30 s, so a
    // slow sender used to keep its socket for 60-90 s)
    serverFactory: (handler: RequestListener) =>
      createServer(
        {
          requestTimeout: config.apiRequestTimeoutMs,
          headersTimeout: Math.min(config.apiHeadersTimeoutMs, config.apiRequestTimeoutMs),
          connectionsCheckingInterval: 1_000,
        },
        handler,
      ),
    requestTimeout: config.apiRequestTimeoutMs,
    connectionTimeout: 0,
    keepAliveTimeout: 65_000,
    routerOptions: { maxParamLength: 200 },
    trustProxy: true,
    return503OnClosing: true,
  });
  // bodyParser off: our own JSON parser (installJsonBodyParser) is the only one
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config, { withWorker: opts.withWorker }), adapter, {
    bufferLogs: true,
    bodyParser: false,
    // a failed start-up is the caller's to report (one line, see reportFatal), not Nest's
    // to print with a stack trace and exit; the buffered start-up lines go out once the JSON logger is in place
    abortOnError: false,
    autoFlushLogs: false,
  });
  app.useLogger(new QuietStartupLogger(app.get(Logger)));
  app.flushLogs();
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationExceptionFactory,
    }),
  );
  const fastify = app.getHttpAdapter().getInstance();
  installJsonBodyParser(fastify, config.maxBodyBytes, { takesRawBody });
  installRequestGuards(fastify);
  installIngestHooks(fastify, app.get(IngestGate), config.maxBodyBytes);
  authenticateBeforeBody(fastify, app.get(ApiKeysService), app.get(RequestRateLimiter));
  authenticatePortalBeforeBody(fastify, app.get(PortalLinksService));
  fastify.addHook('onSend', async (req, reply) => {
    void reply.header(REQUEST_ID_HEADER, req.id);
  });
  if (config.queueDashboardEnabled) {
    const queues = Object.values(QUEUES).map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
    await installQueueDashboard(fastify, queues, app.get(ApiKeysService));
  }
  const ui = await installWebUi(app);
  if (!ui.served) app.get(Logger).warn(`the web UI is not built (no ${ui.dir}); /ui and /portal answer 404`);
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json', raw: ['json'] });
  return app;
}

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const doc = new DocumentBuilder()
    .setTitle('Caravan API')
    .setDescription("Caravan's REST API, compatible with Convoy's API v1. Authenticate with `Authorization: Bearer CO.<mask>.<secret>`.")
    .setVersion('1.0')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, doc, {
    operationIdFactory: (controllerKey: string, methodKey: string) => `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}
