/**
 * Services throw DomainError with a stable, machine-readable code. One HTTP filter maps the
 * kind to a status; job processors use the same kind to decide retry / wait / give up.
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'too_many_requests'
  | 'unavailable'
  | 'gateway_timeout'
  | 'internal';

export const STATUS_BY_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  // Convoy answers 400 for every input it refuses and its SDKs map only that to their
  // bad-request error; the `code` says which check refused it
  unprocessable: 400,
  too_many_requests: 429,
  unavailable: 503,
  gateway_timeout: 504,
  internal: 500,
};

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** seconds, for 429/503 */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return STATUS_BY_KIND[this.kind];
  }
}

export const notFound = (what: string, code = `${what.replace(/\s+/g, '_')}_not_found`): DomainError => new DomainError('not_found', code, `${what} not found`);

export const badRequest = (code: string, message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError('bad_request', code, message, details);

/** A per-project count limit (PROJECT_MAX_*) was reached. */
export const limitReached = (what: string, limit: number): DomainError =>
  new DomainError('bad_request', 'limit_reached', `a project has at most ${limit} ${what}; delete some first`, { limit });

export const unprocessable = (code: string, message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError('unprocessable', code, message, details);

export const conflict = (code: string, message: string): DomainError => new DomainError('conflict', code, message);

export const unauthorized = (message = 'invalid or missing credentials'): DomainError => new DomainError('unauthorized', 'unauthorized', message);

export const unavailable = (code: string, message: string, retryAfter = 1): DomainError => new DomainError('unavailable', code, message, undefined, retryAfter);
