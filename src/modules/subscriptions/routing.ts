import { matchBudget, matchFilter } from './filter/filter-engine';
import type { StepBudget } from './filter/linear-regex';
import type { FilterDocument } from './filters/subscription-filter.entity';
import type { SubscriptionWithoutFunction } from './subscription.entity';

/** What routing needs of a filter row. */
export interface EventFilter {
  enabled: boolean;
  headers: FilterDocument;
  body: FilterDocument;
  query: FilterDocument;
  path: FilterDocument;
}

/**
 * A subscription with its filters by event type, as routing reads it: without its transform
 * function, which only the worker needs, at send time.
 */
export type RoutingSubscription = SubscriptionWithoutFunction & { readonly filters: ReadonlyMap<string, EventFilter> };

export interface RoutableEvent {
  eventType: string;
  /** endpoints the event targets; undefined = every subscription (broadcast) */
  endpoints?: readonly string[];
  /** an incoming event: only the subscriptions of this source */
  sourceId?: string;
  body: unknown;
  /** header names in lower case */
  headers: Record<string, string>;
  /** the query parameters of the request that carried the event (none for API events) */
  query?: Record<string, string | string[]>;
  /** the URL path of the request that carried the event (none for API events) */
  path?: string;
}

/**
 * The filter that decides whether an event of `eventType` goes to the subscription, as Convoy
 * picks it: the enabled row of that type, else the enabled `*` row. Undefined means the
 * subscription does not take the event (no row, or only switched-off rows).
 */
export function filterFor(filters: ReadonlyMap<string, EventFilter>, eventType: string): EventFilter | undefined {
  const exact = filters.get(eventType);
  if (exact?.enabled) return exact;
  if (eventType === '*') return undefined;
  const fallback = filters.get('*');
  return fallback?.enabled ? fallback : undefined;
}

/** The path scope as Convoy builds it: one key, `path`, holding the request's URL path. */
export function pathScope(path: string | undefined): Record<string, string> {
  return path === undefined ? {} : { path };
}

/** A request as filters see it: the payload and the header, query and path scopes. */
export interface RequestScopes {
  body: unknown;
  headers: Record<string, unknown>;
  query: Record<string, unknown>;
  path: Record<string, unknown>;
}

/** Whether the event passes the filter in every scope, spending from `budget`. */
export function passes(f: EventFilter, ev: RoutableEvent, budget: StepBudget = matchBudget()): boolean {
  return passesScopes(f, { body: ev.body, headers: ev.headers, query: ev.query ?? {}, path: pathScope(ev.path) }, budget);
}

export function passesScopes(f: EventFilter, req: RequestScopes, budget: StepBudget = matchBudget()): boolean {
  return (
    matchFilter(f.body, req.body, budget) &&
    scopeMatches(f.headers, req.headers, budget) &&
    scopeMatches(f.query, req.query, budget) &&
    scopeMatches(f.path, req.path, budget)
  );
}

/** Headers, query and path: an empty filter takes anything, a non-empty one needs a non-empty scope. */
function scopeMatches(filter: FilterDocument, scope: Record<string, unknown>, budget: StepBudget): boolean {
  if (Object.keys(filter).length === 0) return true;
  if (Object.keys(scope).length === 0) return false;
  return matchFilter(filter, scope, budget);
}

/**
 * The subscriptions an event goes to: its endpoints (or all, for a broadcast; or its
 * source's, for an incoming event), the subscription's filter for the event type (exact or
 * `*`), then that filter's body, header, query and path conditions. Used at ingest and by
 * the router for replays.
 */
export function matchingSubscriptions<S extends RoutingSubscription>(subs: readonly S[], ev: RoutableEvent): S[] {
  const targets = ev.endpoints ? new Set(ev.endpoints) : undefined;
  // one allowance for the whole event, so many expensive filters cannot multiply the cost
  const budget = matchBudget();
  return subs.filter((s) => {
    if (targets && !targets.has(s.endpointId)) return false;
    if (ev.sourceId !== undefined && s.sourceId !== ev.sourceId) return false;
    const f = filterFor(s.filters, ev.eventType);
    return f !== undefined && passes(f, ev, budget);
  });
}
