import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { isTransientDatabaseError } from '../../../libs/database/database-errors';
import { errorBeforeRoute } from '../http/json-body';
import { DomainError } from './domain-error';

interface ErrorBody {
  status: false;
  message: string;
  code: string;
  data?: unknown;
  error_id?: string;
}

function httpCode(status: number): string {
  switch (status) {
    case 400:
      return 'validation_failed';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 422:
      return 'unprocessable';
    case 429:
      return 'too_many_requests';
    default:
      return status >= 500 ? 'internal' : 'error';
  }
}

/**
 * Maps every error to Convoy's envelope `{status:false, message, data}` plus our `code`.
 * Unknown errors are 500 with an error id that is also logged; PostgreSQL outages are 503
 * with Retry-After so producers retry instead of dropping the event.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const req = ctx.getRequest<FastifyRequest>();
    const { status, body, retryAfter } = this.toResponse(exception, req);
    if (retryAfter !== undefined) void reply.header('Retry-After', String(retryAfter));
    void reply.status(status).send(body);
  }

  private toResponse(exception: unknown, req: FastifyRequest): { status: number; body: ErrorBody; retryAfter?: number } {
    if (exception instanceof DomainError) {
      return {
        status: exception.status,
        body: { status: false, message: exception.message, code: exception.code, ...(exception.details ? { data: exception.details } : {}) },
        retryAfter: exception.retryAfter,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const res = exception.getResponse();
      let message = exception.message;
      let code = httpCode(status);
      let data: unknown;
      if (typeof res === 'object' && res !== null) {
        const r = res as { message?: unknown; code?: unknown; errors?: unknown };
        if (Array.isArray(r.message)) {
          message = r.message.join('; ');
          data = { errors: r.message };
        } else if (typeof r.message === 'string') message = r.message;
        if (typeof r.code === 'string') code = r.code;
        if (r.errors !== undefined) data = { errors: r.errors };
      }
      // readiness answers 503 with the per-dependency report; keep both
      if (status === 503)
        return {
          status,
          body: { status: false, message: 'service unavailable', code: 'unavailable', data: typeof res === 'object' ? res : undefined },
          retryAfter: 5,
        };
      if (status >= 500) return this.internal(exception, req);
      return { status, body: { status: false, message, code, ...(data ? { data } : {}) } };
    }
    const early = exception instanceof Error ? errorBeforeRoute(exception) : undefined;
    if (early) return early;
    const statusCode = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return { status: statusCode, body: { status: false, message: (exception as Error).message, code: httpCode(statusCode) } };
    }
    if (isTransientDatabaseError(exception)) {
      this.logger.warn({ err: exception, reqId: req.id }, 'database unavailable');
      return { status: 503, body: { status: false, message: 'storage temporarily unavailable, retry later', code: 'storage_unavailable' }, retryAfter: 2 };
    }
    return this.internal(exception, req);
  }

  private internal(exception: unknown, req: FastifyRequest): { status: number; body: ErrorBody } {
    const errorId = randomUUID();
    this.logger.error({ err: exception, errorId, reqId: req.id }, 'unhandled error');
    return { status: 500, body: { status: false, message: 'internal server error', code: 'internal', error_id: errorId } };
  }
}
