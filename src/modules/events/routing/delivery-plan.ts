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

/** What routing reads of a stored event. */
export function routableEvent(ev: Pick<EventEntity, 'eventType' | 'target' | 'endpoints' | 'sourceId' | 'headers'>, body: unknown): RoutableEvent {
  const kind = ev.target.kind;
  return {
    eventType: ev.eventType,
    endpoints: kind === 'broadcast' || kind === 'source' ? undefined : ev.endpoints,
    sourceId: kind === 'source' ? (ev.sourceId ?? undefined) : undefined,
    body,
    headers: ev.headers,
  };
}
