import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

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

/**
 * Request checks that run before any route: ids and query values with control characters
 * answer 400 naming the field (PostgreSQL refuses NUL in text, which used to surface as a
 * 500), and only JSON bodies are accepted (Fastify's own text/plain parser would hand a
 * string to the DTO pipe, a 400 where 415 is the answer).
 */
export function installRequestGuards(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('preValidation', async (req: FastifyRequest, reply: FastifyReply) => {
    const field = controlCharacterField(req.params, req.query);
    if (field) return reply.code(400).send({ status: false, message: `${field} contains a control character`, code: 'invalid_parameter' });
  });
}
