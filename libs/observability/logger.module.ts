import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import { CARAVAN_CONFIG, CaravanConfig } from '../config';
import { redactUrl } from './redact-url';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Accepts a caller's request id when it is sane, otherwise makes one. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  if (typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given)) return given;
  return randomUUID();
}

/** JSON logs; every line written while serving a request carries its `reqId`. */
@Module({})
export class LoggerModule {
  static forRoot(role: string): DynamicModule {
    return {
      module: LoggerModule,
      imports: [
        PinoLoggerModule.forRootAsync({
          inject: [CARAVAN_CONFIG],
          useFactory: (config: CaravanConfig) => ({
            forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
            pinoHttp: {
              level: config.logLevel,
              base: { role },
              messageKey: 'msg',
              genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? requestIdFor(req),
              customProps: () => ({}),
              autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') || req.url === '/metrics' },
              redact: {
                paths: ['req.headers.authorization', 'req.headers["proxy-authorization"]', 'req.headers.cookie', 'req.headers["x-api-key"]'],
                censor: '[redacted]',
              },
              serializers: {
                req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
              },
            },
          }),
        }),
      ],
    };
  }
}
