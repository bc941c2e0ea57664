import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withConvoyQueryNames } from './query-aliases';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The first path parameter or query value (by name) that holds a control character, NUL included. */
export function controlCharacterField(params: unknown, query: unknown): string | undefined {
  for (const [where, bag] of [
    ['path', params],
    ['query', query],
  ] as const) {
    if (!bag || typeof bag !== 'object') continue;
    for (const [name, value] of Object.entries(bag as Record<string, unknown>)) {
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'string' && CONTROL.test(v))) return `${where} parameter ${name}`;
      if (CONTROL.test(name)) return `${where} parameter name`;
    }
  }
  return undefined;
}

/** Members whose content is the producer's own (payloads, filters, schemas): any key may appear there. */
const FREE_FORM = new Set(['data', 'filter', 'json_schema', 'schema', 'request', 'custom_headers', 'headers', 'header', 'metadata']);
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A `__proto__`, `constructor` or `prototype` key among a body's fields (outside free-form
 * members): the DTO transform drops such keys silently, so the unknown-field check would
 * never see them.
 */
export function prototypeKeyField(body: unknown): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value: body, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: `${path}[${i}]` }));
      continue;
    }
    for (const key of Object.keys(value)) {
      const at = path ? `${path}.${key}` : key;
      if (PROTOTYPE_KEYS.has(key)) return at;
      if (!FREE_FORM.has(key)) stack.push({ value: (value as Record<string, unknown>)[key], path: at });
    }
  }
  return undefined;
}

/**
 * Request checks that run before any route: ids and query values with control characters
 * answer 400 naming the field (PostgreSQL refuses NUL in text, which used to surface as a
 * 500), list filters may use either spelling (`query-aliases.ts`), and only JSON bodies are accepted (Fastify's own text/plain parser would hand a
 * string to the DTO pipe, a 400 where 415 is the answer).
 */
export function installRequestGuards(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('preValidation', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.query && typeof req.query === 'object') {
      const named = withConvoyQueryNames(req.query as Record<string, unknown>);
      if ('conflict' in named) {
        const [name, alias] = named.conflict;
        return reply
          .code(400)
          .send({ status: false, message: `query parameters ${name} and ${alias} are the same filter: send one`, code: 'invalid_parameter' });
      }
      req.query = named.query;
    }
    const field = controlCharacterField(req.params, req.query);
    if (field) return reply.code(400).send({ status: false, message: `${field} contains a control character`, code: 'invalid_parameter' });
    // a raw body (incoming webhooks) is bytes, not fields
    const unknown = Buffer.isBuffer(req.body) ? undefined : prototypeKeyField(req.body);
    if (unknown) return reply.code(400).send({ status: false, message: `property ${unknown} should not exist`, code: 'validation_failed' });
  });
}
