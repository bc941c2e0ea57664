import { validateFilter } from '../filter/filter-engine';
import { isPlainObject, WILDCARD } from '../filter/filter-compiler';
import type { EventFilter } from '../routing';
import type { FilterDocument, SubscriptionFilterEntity } from './subscription-filter.entity';

/**
 * Filter rows one subscription may have. Routing reads one row per subscription and event,
 * so the count does not change an event's cost; it bounds what the routing cache holds. It
 * matches the most event types a subscription's filter_config may list.
 */
export const MAX_FILTERS_PER_SUBSCRIPTION = 200;
/** Characters of one row's four filter documents together, as JSON. */
export const MAX_FILTER_ROW_CHARS = 64 * 1024;
export const MAX_EVENT_TYPE_LENGTH = 200;

export interface FilterScopes {
  headers: FilterDocument;
  body: FilterDocument;
  query: FilterDocument;
  path: FilterDocument;
}

export type ScopesInput = Partial<Record<keyof FilterScopes, unknown>>;

const SCOPES: readonly (keyof FilterScopes)[] = ['headers', 'body', 'query', 'path'];

/** Top-level keys (header names) in lower case; operator documents below them untouched. */
export function lowerCaseKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.startsWith('$') ? k : k.toLowerCase(), v]));
}

/**
 * Checks the filter documents of a row (or of a subscription's filter_config) and returns
 * them ready to store, with every problem named by `where.scope`. Header names are matched
 * in lower case. Convoy refuses the array wildcard outside the body: headers, query
 * parameters and the path are not arrays of objects.
 */
export function checkScopes(
  input: ScopesInput,
  where: string,
  present: readonly (keyof FilterScopes)[] = SCOPES,
): { scopes: Partial<FilterScopes>; problems: string[] } {
  const scopes: Partial<FilterScopes> = {};
  const problems: string[] = [];
  for (const scope of present) {
    const value = input[scope];
    if (value === undefined || value === null) continue;
    const at = `${where}${scope}`;
    if (!isPlainObject(value)) {
      problems.push(`${at}: must be a JSON object`);
      continue;
    }
    const doc = scope === 'headers' ? lowerCaseKeys(value) : value;
    problems.push(...validateFilter(doc).map((p) => `${at}: ${p}`));
    if (scope !== 'body' && hasWildcard(doc)) problems.push(`${at}: array wildcard selectors ($) are only supported in body filters`);
    scopes[scope] = doc;
  }
  const size = JSON.stringify(scopes).length;
  if (size > MAX_FILTER_ROW_CHARS) problems.push(`${where || 'filter'}: the filters have ${size} characters of JSON; at most ${MAX_FILTER_ROW_CHARS}`);
  return { scopes, problems };
}

/** Whether a path segment anywhere in the document is the array wildcard. */
export function hasWildcard(doc: unknown): boolean {
  const stack: unknown[] = [doc];
  for (let steps = 0; stack.length > 0 && steps < 100_000; steps++) {
    const node = stack.pop();
    if (Array.isArray(node)) stack.push(...(node as unknown[]));
    else if (isPlainObject(node)) {
      for (const [k, v] of Object.entries(node)) {
        if (k.split('.').includes(WILDCARD)) return true;
        stack.push(v);
      }
    }
  }
  return false;
}

export function toEventFilter(row: Pick<SubscriptionFilterEntity, 'enabledAt' | keyof FilterScopes>): EventFilter {
  return { enabled: row.enabledAt !== null, headers: row.headers, body: row.body, query: row.query, path: row.path };
}

/**
 * A filter document with its nested field keys joined by dots, the form Convoy stores and
 * answers (`raw_*` keep what was sent): operator objects stay under their field, each
 * `$or`/`$and` branch is flattened on its own, arrays of scalars stay whole, arrays of
 * objects get index keys. Iterative, so a deep document cannot exhaust the stack.
 */
export function flattenFilter(doc: FilterDocument): FilterDocument {
  const out: FilterDocument = {};
  const stack: { prefix: string; value: unknown }[] = [{ prefix: '', value: doc }];
  while (stack.length > 0) {
    const { prefix, value } = stack.pop() as { prefix: string; value: unknown };
    if (isPlainObject(value)) {
      const entries = Object.entries(value);
      if (entries.length === 0) {
        if (prefix) out[prefix] = {};
        continue;
      }
      for (const [key, v] of entries) {
        if (key.startsWith('$') && !key.startsWith('$.') && key !== WILDCARD) {
          const operand =
            (key === '$or' || key === '$and') && Array.isArray(v) ? (v as unknown[]).map((b): unknown => (isPlainObject(b) ? flattenFilter(b) : b)) : v;
          if (!prefix) out[key] = operand;
          else {
            const at = out[prefix];
            const holder = isPlainObject(at) ? at : (out[prefix] = {});
            (holder as FilterDocument)[key] = operand;
          }
          continue;
        }
        stack.push({ prefix: prefix ? `${prefix}.${key}` : key, value: v });
      }
    } else if (Array.isArray(value)) {
      const first: unknown = value[0];
      if (value.length === 0 || typeof first === 'number' || typeof first === 'string' || typeof first === 'boolean') {
        if (prefix) out[prefix] = value;
        continue;
      }
      value.forEach((e: unknown, i) => {
        if (isPlainObject(e)) stack.push({ prefix: prefix ? `${prefix}.${i}` : String(i), value: e });
      });
    } else if (prefix) {
      out[prefix] = value;
    }
  }
  return out;
}
