import type { SubscriptionEntity } from './subscription.entity';
import { EventFilter, filterFor, matchingSubscriptions, pathScope, RoutingSubscription } from './routing';

function filter(over: Partial<EventFilter> = {}): EventFilter {
  return { enabled: true, headers: {}, body: {}, query: {}, path: {}, ...over };
}

function sub(id: string, endpointId: string, filters: Record<string, EventFilter>): RoutingSubscription {
  return { id, endpointId, sourceId: null, filters: new Map(Object.entries(filters)) } as unknown as SubscriptionEntity & RoutingSubscription;
}

describe('routing', () => {
  const subs = [
    sub('all', 'e1', { '*': filter() }),
    sub('paid', 'e2', { 'invoice.paid': filter() }),
    sub('big', 'e3', { '*': filter({ body: { amount: { $gte: 100 } } }) }),
    sub('vip', 'e4', { '*': filter({ headers: { 'x-tier': 'vip' } }) }),
  ];
  const ids = (ev: Parameters<typeof matchingSubscriptions>[1], from = subs) => matchingSubscriptions(from, ev).map((s) => s.id);

  it('broadcasts through the filter of the event type or the * filter', () => {
    expect(ids({ eventType: 'invoice.paid', body: { amount: 5 }, headers: {} })).toEqual(['all', 'paid']);
    expect(ids({ eventType: 'x', body: { amount: 500 }, headers: { 'x-tier': 'vip' } })).toEqual(['all', 'big', 'vip']);
  });

  it("prefers the event type's own filter to the * filter", () => {
    const s = sub('s', 'e1', { '*': filter(), 'invoice.paid': filter({ body: { amount: { $gte: 100 } } }) });
    expect(ids({ eventType: 'invoice.paid', body: { amount: 5 }, headers: {} }, [s])).toEqual([]);
    expect(ids({ eventType: 'invoice.paid', body: { amount: 500 }, headers: {} }, [s])).toEqual(['s']);
    expect(ids({ eventType: 'other', body: { amount: 5 }, headers: {} }, [s])).toEqual(['s']);
  });

  it('falls back to the * filter when the own filter is switched off, and delivers nothing without an enabled one', () => {
    const off = filter({ enabled: false });
    expect(filterFor(new Map([['a', off]]), 'a')).toBeUndefined();
    expect(
      filterFor(
        new Map([
          ['a', off],
          ['*', filter()],
        ]),
        'a',
      ),
    ).toEqual(filter());
    expect(filterFor(new Map([['*', off]]), 'a')).toBeUndefined();
    // an event of type `*` takes only a `*` filter
    expect(filterFor(new Map([['*', filter()]]), '*')).toEqual(filter());
    expect(filterFor(new Map([['a', filter()]]), '*')).toBeUndefined();
    // a subscription without filter rows receives nothing, as in Convoy
    expect(ids({ eventType: 'a', body: {}, headers: {} }, [sub('bare', 'e1', {})])).toEqual([]);
  });

  it('matches query and path filters against the request scopes; an API event has none', () => {
    const s = sub('q', 'e1', { '*': filter({ query: { plan: 'pro' }, path: { path: { $regex: '^/ingest/' } } }) });
    expect(ids({ eventType: 'a', body: {}, headers: {}, query: { plan: 'pro' }, path: '/ingest/abc' }, [s])).toEqual(['q']);
    expect(ids({ eventType: 'a', body: {}, headers: {}, query: { plan: ['pro', 'team'] }, path: '/ingest/abc' }, [s])).toEqual(['q']);
    expect(ids({ eventType: 'a', body: {}, headers: {}, query: { plan: 'free' }, path: '/ingest/abc' }, [s])).toEqual([]);
    expect(ids({ eventType: 'a', body: {}, headers: {}, query: { plan: 'pro' }, path: '/other' }, [s])).toEqual([]);
    expect(ids({ eventType: 'a', body: {}, headers: {} }, [s])).toEqual([]);
    // empty filters take an event without scopes
    expect(ids({ eventType: 'a', body: {}, headers: {} }, [sub('e', 'e1', { '*': filter() })])).toEqual(['e']);
    expect(pathScope(undefined)).toEqual({});
    expect(pathScope('/x')).toEqual({ path: '/x' });
  });

  it('keeps to the targeted endpoints', () => {
    expect(ids({ eventType: 'invoice.paid', endpoints: ['e2', 'e3'], body: {}, headers: {} })).toEqual(['paid']);
    expect(ids({ eventType: 'x', endpoints: [], body: {}, headers: {} })).toEqual([]);
  });

  it("routes an incoming event to its source's subscriptions only", () => {
    const fromSource = [...subs, { ...sub('src', 'e5', { '*': filter() }), sourceId: 'so1' } as RoutingSubscription];
    expect(ids({ eventType: 'x', sourceId: 'so1', body: {}, headers: {} }, fromSource)).toEqual(['src']);
  });
});
