import { badRequest, DomainError, unprocessable } from '../../../common/errors/domain-error';
import { inspectJson, isValidUtf8, MAX_JSON_DEPTH, validateCustomHeaders } from '../../../common/http/json-guard';

export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_.:*\-/]{1,200}$/;
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
export const MAX_BROKER_MESSAGE_ID_LENGTH = 512;

export interface GuardedPayload {
  /** the payload's JSON text, exactly as stored, signed and sent */
  raw: string;
  /** the parsed payload, for routing filters only */
  data: unknown;
}

/**
 * Every check an event's payload passes before anything is stored, whatever transport
 * brought it: strict UTF-8, well-formed JSON, an object at the top, the project's size
 * limit, nesting at most 64 deep and no U+0000 or lone surrogate (PostgreSQL refuses them,
 * which would poison the event later).
 */
export function guardPayload(payload: Buffer | string, parsed: unknown, maxBytes: number): GuardedPayload {
  let raw: string;
  if (typeof payload === 'string') raw = payload;
  else {
    if (!isValidUtf8(payload)) throw badRequest('invalid_utf8', 'event data is not valid UTF-8');
    raw = payload.toString('utf8');
  }
  if (Buffer.byteLength(raw) > maxBytes) {
    throw new DomainError('payload_too_large', 'payload_too_large', `event data is larger than the project's limit of ${maxBytes} bytes`);
  }
  let data = parsed;
  if (data === undefined) {
    try {
      data = JSON.parse(raw);
    } catch (e) {
      throw badRequest('invalid_json', `event data is not JSON: ${(e as Error).message}`);
    }
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw badRequest('invalid_data', 'event data must be a JSON object');
  const verdict = inspectJson(data, { maxDepth: MAX_JSON_DEPTH });
  if (!verdict.ok) throw unprocessable(verdict.code, `data: ${verdict.message}`, { path: verdict.path });
  return { raw, data };
}

/** Custom headers, checked and lower-cased (header filters then match whatever case the producer used). */
export function guardCustomHeaders(headers: Record<string, unknown> | undefined, signatureHeader: string): Record<string, string> {
  if (!headers) return {};
  const problems = validateCustomHeaders(headers, signatureHeader);
  if (problems.length) throw unprocessable('invalid_custom_headers', problems.join('; '), { errors: problems });
  return Object.fromEntries(Object.entries(headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
}

export function guardEventType(eventType: unknown): string {
  if (typeof eventType !== 'string' || !EVENT_TYPE_PATTERN.test(eventType)) {
    throw badRequest('invalid_event_type', 'event_type must be 1-200 characters of letters, digits and _ . : - / *');
  }
  return eventType;
}

/** An optional id-like string (idempotency key, broker message id): non-empty, bounded, no control characters. */
export function guardOptionalKey(field: string, value: string | undefined, maxLength: number): string | null {
  if (value === undefined) return null;
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || /[\u0000-\u001F\u007F]/.test(value)) {
    throw badRequest(`invalid_${field}`, `${field} must be 1-${maxLength} characters without control characters`);
  }
  return value;
}
