/**
 * Convoy's list filters mix spellings (`endpointId` and `perPage` beside `event_type` and
 * `next_page_cursor`), and its SDKs send exactly those. A newcomer writing `endpoint_id` or
 * `eventType` would be refused, so both spellings of each name are taken and mapped to
 * Convoy's before validation; Convoy's stays the documented one.
 */
const CONVOY_NAMES = [
  'endpointId',
  'eventId',
  'sourceId',
  'subscriptionId',
  'ownerId',
  'idempotencyKey',
  'brokerMessageId',
  'startDate',
  'endDate',
  'perPage',
  'event_type',
  'next_page_cursor',
  'prev_page_cursor',
  'dry_run',
] as const;

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** other spelling → Convoy's spelling */
const ALIASES: ReadonlyMap<string, string> = new Map(
  CONVOY_NAMES.flatMap((name) => [snake(name), camel(name)].filter((alias) => alias !== name).map((alias) => [alias, name] as const)),
);

export type QueryAliasResult = { query: Record<string, unknown> } | { conflict: [string, string] };

/** The query with every alias renamed to Convoy's name; a name sent in both spellings is a conflict. */
export function withConvoyQueryNames(query: Record<string, unknown>): QueryAliasResult {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(query)) {
    const name = ALIASES.get(key);
    if (!name) continue;
    if (Object.hasOwn(query, name)) return { conflict: [name, key] };
    out ??= { ...query };
    out[name] = out[key];
    delete out[key];
  }
  return { query: out ?? query };
}
