import { DomainError } from '../../common/errors/domain-error';
import { normaliseFilterConfig, widenedEventTypes } from './filter-config';

describe('subscription filter config', () => {
  it("applies Convoy's defaults: every event type, no filters", () => {
    expect(normaliseFilterConfig(undefined)).toEqual({ event_types: ['*'], filter: { headers: {}, body: {}, query: {}, path: {} } });
    expect(normaliseFilterConfig({ event_types: [] })).toEqual({ event_types: ['*'], filter: { headers: {}, body: {}, query: {}, path: {} } });
  });

  it('drops repeated event types and keeps the filters', () => {
    const c = normaliseFilterConfig({
      event_types: ['a', 'b', 'a'],
      filter: { body: { amount: { $gte: 1 } }, headers: { 'x-t': 'acme' }, is_flattened: true },
    });
    expect(c).toEqual({ event_types: ['a', 'b'], filter: { headers: { 'x-t': 'acme' }, body: { amount: { $gte: 1 } }, query: {}, path: {} } });
  });

  it('reports every problem at once as a 400', () => {
    let err: unknown;
    try {
      normaliseFilterConfig({ filter: { body: { a: { $nope: 1 } }, path: { 'x.$.y': 1 }, query: { y: { $gt: 'a' } } } });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    const problems = (err as DomainError).details?.errors as string[];
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('filter_config.filter.path'),
        expect.stringContaining('filter_config.filter.query'),
        expect.stringContaining('filter_config.filter.body'),
      ]),
    );
    expect((err as DomainError).status).toBe(400);
  });

  it('matches query and path filters too, and lower-cases header names', () => {
    const c = normaliseFilterConfig({ filter: { headers: { 'X-Tenant': 'acme' }, query: { plan: 'pro' }, path: { path: { $regex: '^/hooks/' } } } });
    expect(c.filter).toEqual({ headers: { 'x-tenant': 'acme' }, body: {}, query: { plan: 'pro' }, path: { path: { $regex: '^/hooks/' } } });
  });

  it('widens event types only when they do not cover what is wanted', () => {
    expect(widenedEventTypes(['*'], ['a'])).toBeNull();
    expect(widenedEventTypes(['a', 'b'], ['a'])).toBeNull();
    expect(widenedEventTypes(['a'], ['b'])).toEqual(['a', 'b']);
    expect(widenedEventTypes(['a'], ['*'])).toEqual(['*']);
  });
});
