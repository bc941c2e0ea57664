/**
 * Selectors that point into an incoming request, as Convoy writes them:
 * `request.header.X-Id`, `request.body.data.id`, `request.query.ref` (`req.` and
 * `Header`/`Body`/`QueryParam` are accepted too). Used for a source's idempotency keys and
 * its event type location.
 */
export type SelectorPlace = 'header' | 'body' | 'query';

export interface Selector {
  place: SelectorPlace;
  /** a header or query name, or a dot path into the body */
  path: string;
}

const PLACES: Record<string, SelectorPlace> = { header: 'header', body: 'body', query: 'query', queryparam: 'query' };

/** The selector, or why it is not one. */
export function parseSelector(text: string): Selector | string {
  const first = text.indexOf('.');
  const second = first < 0 ? -1 : text.indexOf('.', first + 1);
  if (first < 0 || second < 0) return `"${text}" must look like request.header.<name>, request.body.<path> or request.query.<name>`;
  const root = text.slice(0, first);
  const place = PLACES[text.slice(first + 1, second).toLowerCase()];
  const path = text.slice(second + 1);
  if (root !== 'request' && root !== 'req') return `"${text}" must start with request.`;
  if (!place) return `"${text}": the second part must be header, body or query`;
  if (path === '' || path.trim() !== path) return `"${text}" names nothing after ${place}`;
  if (place !== 'body' && path.includes('.')) return `"${text}": a ${place} name cannot be nested`;
  if (place === 'body' && path.split('.').some((p) => p === '')) return `"${text}" has an empty path segment`;
  return { place, path };
}

export interface RequestParts {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  query: Readonly<Record<string, string | string[]>>;
  body: unknown;
}

/** The value a selector points at, as text (objects as their JSON), or undefined when absent. */
export function selectValue(sel: Selector, req: RequestParts): string | undefined {
  if (sel.place === 'header') return first(req.headers[sel.path.toLowerCase()]);
  if (sel.place === 'query') return first(req.query[sel.path]);
  let cur: unknown = req.body;
  for (const key of sel.path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  if (cur === undefined || cur === null) return undefined;
  return typeof cur === 'string' ? cur : JSON.stringify(cur);
}

/** A scalar the selector points at (an event type), or undefined. */
export function selectScalar(sel: Selector, req: RequestParts): string | undefined {
  const v = selectValue(sel, req);
  if (v === undefined) return undefined;
  if (sel.place === 'body' && (v.startsWith('{') || v.startsWith('['))) {
    // a string that looks like JSON is still a string; only a real object or array is refused
    const raw = walk(sel.path, req.body);
    if (raw !== null && typeof raw === 'object') return undefined;
  }
  const trimmed = v.trim();
  return trimmed === '' ? undefined : trimmed;
}

function walk(path: string, body: unknown): unknown {
  let cur = body;
  for (const key of path.split('.')) cur = (cur as Record<string, unknown>)[key];
  return cur;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
