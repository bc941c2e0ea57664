/** The fields of an event a source's body function may produce (Convoy's ingest shape). */
const EVENT_FIELDS = new Set(['endpoint_id', 'owner_id', 'event_type', 'data', 'custom_headers', 'idempotency_key']);

/**
 * What is wrong with a body function's result as an event to ingest, or undefined when it
 * is one: an object of the known fields only, with an event type and some data.
 */
export function sourceBodyProblem(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) return 'the output payload must be an object';
  const event = result as Record<string, unknown>;
  const unknown = Object.keys(event).filter((k) => !EVENT_FIELDS.has(k));
  if (unknown.length > 0) return `the output payload has unknown fields: ${unknown.join(', ')}`;
  for (const k of ['endpoint_id', 'owner_id', 'event_type', 'idempotency_key'] as const) {
    if (event[k] !== undefined && event[k] !== null && typeof event[k] !== 'string') return `the output payload's ${k} must be a string`;
  }
  const headers = event.custom_headers;
  if (headers !== undefined && headers !== null) {
    if (typeof headers !== 'object' || Array.isArray(headers) || Object.values(headers).some((v) => typeof v !== 'string')) {
      return "the output payload's custom_headers must map names to strings";
    }
  }
  if (typeof event.event_type !== 'string' || event.event_type.trim() === '') return "the output payload doesn't include an event type";
  if (event.data === undefined) return "the output payload doesn't include any data";
  return undefined;
}
