import { newId } from '../../../common/ids';
import { attemptsAllowed } from '../../../common/retry-policy';
import { matchingSubscriptions } from '../../subscriptions';
import type { RoutableEvent, RoutingSubscription } from '../../subscriptions';
import type { EventEntity } from '../event.entity';

/** A delivery row an event's routing decided on: one per matching subscription. */
export interface NewDelivery {
  id: string;
  endpointId: string;
  subscriptionId: string;
  deliveryMode: string;
  retryLimit: number;
}

/**
 * The deliveries of one routing pass, at ingest and on replay alike: one per matching
 * subscription, with the project's attempt limit (an at-most-once subscription gets one).
 */
export function planDeliveries(subs: readonly RoutingSubscription[], ev: RoutableEvent, retryCount: number): NewDelivery[] {
  const retryLimit = attemptsAllowed(retryCount);
  return matchingSubscriptions(subs, ev).map((s) => ({
    id: newId(),
    endpointId: s.endpointId,
    subscriptionId: s.id,
    deliveryMode: s.deliveryMode,
    retryLimit: s.deliveryMode === 'at_most_once' ? 1 : retryLimit,
  }));
}

/** The request scopes an event carries besides its headers and body (none for API events). */
export interface RequestScopes {
  query?: Record<string, string | string[]>;
  path?: string;
}

/** What routing reads of a stored event. */
export function routableEvent(
  ev: Pick<EventEntity, 'eventType' | 'target' | 'endpoints' | 'sourceId' | 'headers'>,
  body: unknown,
  scopes: RequestScopes = {},
): RoutableEvent {
  const kind = ev.target.kind;
  return {
    eventType: ev.eventType,
    endpoints: kind === 'broadcast' || kind === 'source' ? undefined : ev.endpoints,
    sourceId: kind === 'source' ? (ev.sourceId ?? undefined) : undefined,
    body,
    headers: ev.headers,
    query: scopes.query,
    path: scopes.path,
  };
}

/** Query parameters as the stored `url_query_params` text, and back (a repeated name becomes an array), as Convoy reads them. */
export function queryText(query: Record<string, string | string[]> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  return params.toString();
}

export function parseQueryText(text: string): Record<string, string | string[]> | undefined {
  if (!text) return undefined;
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const have = out[k];
    out[k] = have === undefined ? v : Array.isArray(have) ? [...have, v] : [have, v];
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
