import { matchBudget, matchFilter } from './filter/filter-engine';
import type { RoutingSubscription } from './subscription.entity';

export function eventTypeMatches(patterns: readonly string[] | undefined, eventType: string): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => p === '*' || p === eventType);
}

export interface RoutableEvent {
  eventType: string;
  /** endpoints the event targets; undefined = every subscription (broadcast) */
  endpoints?: readonly string[];
  /** an incoming event: only the subscriptions of this source */
  sourceId?: string;
  body: unknown;
  /** header names in lower case */
  headers: Record<string, string>;
}

/**
 * The subscriptions an event goes to: its endpoints (or all, for a broadcast; or its
 * source's, for an incoming event), the event type (exact or `*`), then the body and
 * header filters. Used at ingest and by the router for replays.
 */
export function matchingSubscriptions<S extends RoutingSubscription>(subs: readonly S[], ev: RoutableEvent): S[] {
  const targets = ev.endpoints ? new Set(ev.endpoints) : undefined;
  // one allowance for the whole event, so many expensive filters cannot multiply the cost
  const budget = matchBudget();
  return subs.filter(
    (s) =>
      (!targets || targets.has(s.endpointId)) &&
      (ev.sourceId === undefined || s.sourceId === ev.sourceId) &&
      eventTypeMatches(s.filterConfig.event_types, ev.eventType) &&
      matchFilter(s.filterConfig.filter?.body ?? {}, ev.body, budget) &&
      matchFilter(s.filterConfig.filter?.headers ?? {}, ev.headers, budget),
  );
}
