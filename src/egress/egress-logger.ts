import type { LoggerService } from '@nestjs/common';
import pino, { Logger as Pino } from 'pino';

export const EGRESS_LOGGER = Symbol('EGRESS_LOGGER');

/**
 * The egress role logs through its own pino instance. nestjs-pino keeps one root
 * logger per process, built by whichever role starts first, so in the all-in-one
 * process the proxy would otherwise stamp `role: egress` on the API's request logs.
 */
export function createEgressLogger(level: string): Pino {
  return pino({ level, base: { role: 'egress' }, messageKey: 'msg' });
}

/** Nest's own messages (start-up, errors) into the same JSON stream. */
export class EgressNestLogger implements LoggerService {
  constructor(private readonly logger: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: pino.Level, message: unknown, params: unknown[]): void {
    // Nest passes the context name last
    const context = typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : undefined;
    if (message instanceof Error) this.logger[level]({ context, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ context, ...message });
    else this.logger[level]({ context }, String(message));
  }
}
