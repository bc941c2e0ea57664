import type { SubscriptionEntity } from './subscription.entity';
import { eventTypeMatches, matchingSubscriptions } from './routing';

function sub(
  id: string,
  endpointId: string,
  event_types: string[],
  body: Record<string, unknown> = {},
  headers: Record<string, unknown> = {},
): SubscriptionEntity {
  return { id, endpointId, sourceId: null, filterConfig: { event_types, filter: { body, headers } } } as unknown as SubscriptionEntity;
}

describe('routing', () => {
  const subs = [
    sub('all', 'e1', ['*']),
    sub('paid', 'e2', ['invoice.paid']),
    sub('big', 'e3', ['*'], { amount: { $gte: 100 } }),
    sub('vip', 'e4', ['*'], {}, { 'x-tier': 'vip' }),
  ];

  it('matches event types exactly or by *', () => {
    expect(eventTypeMatches(['*'], 'a')).toBe(true);
    expect(eventTypeMatches(['a', 'b'], 'b')).toBe(true);
    expect(eventTypeMatches(['a'], 'ab')).toBe(false);
    expect(eventTypeMatches([], 'x')).toBe(true);
  });

  it('broadcasts through type and filters', () => {
    const ids = (ev: Parameters<typeof matchingSubscriptions>[1]) => matchingSubscriptions(subs, ev).map((s) => s.id);
    expect(ids({ eventType: 'invoice.paid', body: { amount: 5 }, headers: {} })).toEqual(['all', 'paid']);
    expect(ids({ eventType: 'x', body: { amount: 500 }, headers: { 'x-tier': 'vip' } })).toEqual(['all', 'big', 'vip']);
  });

  it('keeps to the targeted endpoints', () => {
    expect(matchingSubscriptions(subs, { eventType: 'invoice.paid', endpoints: ['e2', 'e3'], body: {}, headers: {} }).map((s) => s.id)).toEqual(['paid']);
    expect(matchingSubscriptions(subs, { eventType: 'x', endpoints: [], body: {}, headers: {} })).toEqual([]);
  });

  it("routes an incoming event to its source's subscriptions only", () => {
    const fromSource = [...subs, { ...sub('src', 'e5', ['*']), sourceId: 'so1' } as SubscriptionEntity];
    const ids = matchingSubscriptions(fromSource, { eventType: 'x', sourceId: 'so1', body: {}, headers: {} }).map((s) => s.id);
    expect(ids).toEqual(['src']);
  });
});
