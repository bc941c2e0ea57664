import { badRequest } from '../../common/errors/domain-error';

/** The longest `query` or `body` a search takes. */
export const MAX_SEARCH_CHARS = 4096;

export interface EventSearch {
  /** matched against the id (prefix), the idempotency key, the event type and the source's name */
  text?: string;
  /** JSON objects the payload must contain (jsonb `@>`), all of them, as the text sent: big numbers keep every digit */
  contains: string[];
}

function jsonObject(text: string, field: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('invalid_search', `${field} must be a JSON object`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('invalid_search', `${field} must be a JSON object`);
  return text;
}

/**
 * Convoy's two search parameters: `query` is text (id prefix, idempotency key, event type, source name)
 * unless it is a JSON object, which then is matched by containment like `body`; both given
 * means both must match. Undefined when neither is set, so a plain list stays a plain list.
 */
export function parseEventSearch(query: string | undefined, body: string | undefined): EventSearch | undefined {
  const search: EventSearch = { contains: [] };
  const q = query?.trim();
  if (q) {
    if (q.startsWith('{')) search.contains.push(jsonObject(q, 'query'));
    else search.text = q;
  }
  const b = body?.trim();
  if (b) search.contains.push(jsonObject(b, 'body'));
  return search.text !== undefined || search.contains.length > 0 ? search : undefined;
}

/**
 * The id range of ids that start with `prefix`, for an index range scan; ids are ULIDs
 * (26 characters of Crockford base32, upper case), so no id starting with the prefix sorts
 * past the prefix padded with `Z`.
 */
export function idPrefixRange(prefix: string): { from: string; to: string } {
  const p = prefix.toUpperCase();
  return { from: p, to: p.length >= 26 ? p : p + 'Z'.repeat(26 - p.length) };
}
