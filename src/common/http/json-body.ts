import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { inspectJson, isValidUtf8, MAX_JSON_DEPTH } from './json-guard';
import { topLevelMembers } from './json-members';

class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Replaces Fastify's JSON parser so bad input is refused before anything is stored:
 * invalid UTF-8 (which would otherwise be silently replaced), malformed JSON, nesting
 * deeper than 64 and U+0000 (PostgreSQL's jsonb refuses it, which would poison a job).
 * The body limit is enforced on the streamed bytes, not on Content-Length.
 */
export function installJsonBodyParser(fastify: FastifyInstance, bodyLimit: number, opts: RawBodyOptions = {}): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit },
    (req: FastifyRequest, body: Buffer | string, done: (err: Error | null, value?: unknown) => void) => {
      const buf = typeof body === 'string' ? Buffer.from(body) : body;
      if (opts.takesRawBody?.(req)) return done(null, buf);
      // Convoy's SDKs send the JSON content type with an empty body on body-less calls (pause, batchreplay)
      if (buf.length === 0) return done(null, undefined);
      if (!isValidUtf8(buf)) return done(new BodyError(400, 'invalid_utf8', 'request body is not valid UTF-8'));
      let value: unknown;
      try {
        value = JSON.parse(buf.toString('utf8'));
      } catch (e) {
        return done(new BodyError(400, 'invalid_json', `malformed JSON: ${(e as Error).message}`));
      }
      const verdict = inspectJson(value, { maxDepth: MAX_JSON_DEPTH });
      if (!verdict.ok) return done(new BodyError(400, verdict.code, verdict.message));
      if (value !== null && typeof value === 'object') RAW_TEXT.set(value, buf);
      done(null, value);
    },
  );
  if (!opts.takesRawBody) return;
  const takesRaw = opts.takesRawBody;
  // any other content type reaches only the routes that take raw bodies (incoming webhooks send forms too)
  fastify.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit },
    (req: FastifyRequest, body: Buffer | string, done: (err: Error | null, value?: unknown) => void) => {
      if (!takesRaw(req)) return done(new BodyError(415, 'unsupported_media_type', `Unsupported Media Type: ${String(req.headers['content-type'] ?? '')}`));
      done(null, typeof body === 'string' ? Buffer.from(body) : body);
    },
  );
}

export interface RawBodyOptions {
  /** requests whose body is handed to the route as the bytes received, whatever the content type */
  takesRawBody?: (req: FastifyRequest) => boolean;
}

/** The body as it came over the wire, kept beside the parsed value (the request's own buffer, not a copy). */
const RAW_TEXT = new WeakMap<object, Buffer>();

/** A top-level member of the request body: its exact JSON text, and its value as JSON.parse read it. */
export interface RawMember {
  text: string;
  value: unknown;
}

/**
 * The exact JSON text of a top-level member of the body (e.g. an event's `data`), with the
 * value JSON.parse made of it, before any DTO transform. Undefined when the body was not
 * JSON or has no such member.
 */
export function rawMember(body: unknown, key: string): RawMember | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const buf = RAW_TEXT.get(body);
  if (!buf || !Object.hasOwn(body, key)) return undefined;
  const text = topLevelMembers(buf.toString('utf8'))?.get(key);
  return text === undefined ? undefined : { text, value: (body as Record<string, unknown>)[key] };
}

/** The request body as parsed, before the DTO transform: for {@link rawMember}. */
export const ParsedBody = createParamDecorator((_: unknown, ctx: ExecutionContext): unknown => ctx.switchToHttp().getRequest<{ body?: unknown }>().body);

const FASTIFY_CODES: Record<string, { status: number; code: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'payload_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'unsupported_media_type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'invalid_content_length' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'invalid_json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'invalid_json' },
};

/** Errors raised by Fastify before a route runs (body parsing, limits) in Convoy's envelope. */
export function errorBeforeRoute(err: {
  code?: string;
  statusCode?: number;
  message: string;
}): { status: number; body: { status: false; message: string; code: string } } | undefined {
  if (err instanceof BodyError) return { status: err.statusCode, body: { status: false, message: err.message, code: err.code } };
  const known = err.code ? FASTIFY_CODES[err.code] : undefined;
  if (known) return { status: known.status, body: { status: false, message: err.message, code: known.code } };
  return undefined;
}
