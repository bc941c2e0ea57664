import { checkScopes, flattenFilter, hasWildcard, MAX_FILTER_ROW_CHARS, toEventFilter } from './filter-rows';

describe('filter rows', () => {
  it('flattens filters as Convoy stores them: dotted keys, operators under their field, $or branches each flattened', () => {
    expect(flattenFilter({ data: { amount: { $gte: 5, $lt: 10 }, user: { id: 1 } } })).toEqual({ 'data.amount': { $gte: 5, $lt: 10 }, 'data.user.id': 1 });
    expect(flattenFilter({ $or: [{ a: { b: 1 } }, { c: 2 }] })).toEqual({ $or: [{ 'a.b': 1 }, { c: 2 }] });
    expect(flattenFilter({ tags: ['a', 'b'], items: [{ id: 1 }, 5, { id: 2 }], empty: {}, none: null })).toEqual({
      tags: ['a', 'b'],
      'items.0.id': 1,
      'items.2.id': 2,
      empty: {},
      none: null,
    });
    expect(flattenFilter({ '$.venues.$.lagos': 'ikeja' })).toEqual({ '$.venues.$.lagos': 'ikeja' });
    expect(flattenFilter({})).toEqual({});
  });

  it('checks every scope, names the place of each problem and lower-cases header names', () => {
    const ok = checkScopes({ headers: { 'X-Tenant': 'acme' }, body: { a: 1 }, query: { plan: 'pro' }, path: { path: '/x' } }, '');
    expect(ok).toEqual({ problems: [], scopes: { headers: { 'x-tenant': 'acme' }, body: { a: 1 }, query: { plan: 'pro' }, path: { path: '/x' } } });
    const bad = checkScopes({ headers: { 'a.$.b': 1 }, body: { a: { $nope: 1 } }, query: [], path: { 'p.$.q': 1 } }, 'items[0].');
    expect(bad.problems).toEqual([
      expect.stringMatching(/^items\[0\]\.headers: array wildcard/),
      expect.stringMatching(/^items\[0\]\.body: .*not a valid operator/),
      'items[0].query: must be a JSON object',
      expect.stringMatching(/^items\[0\]\.path: array wildcard/),
    ]);
    // the wildcard stays allowed in the body
    expect(checkScopes({ body: { 'items.$.id': 1 } }, '').problems).toEqual([]);
  });

  it('caps the size of a row', () => {
    // each document within the engine's limit, together past the row's
    const quarter = { k: 'v'.repeat(MAX_FILTER_ROW_CHARS / 4) };
    expect(checkScopes({ headers: quarter, body: quarter, query: quarter, path: quarter }, '').problems).toEqual([
      expect.stringContaining(`at most ${MAX_FILTER_ROW_CHARS}`),
    ]);
  });

  it('finds wildcards at any depth, and only whole segments', () => {
    expect(hasWildcard({ a: { $or: [{ 'b.$.c': 1 }] } })).toBe(true);
    expect(hasWildcard({ price$: 1, 'a.$b': 2 })).toBe(false);
  });

  it('switches a row off when it has no enabled_at', () => {
    const row = { enabledAt: null, headers: {}, body: {}, query: {}, path: {} };
    expect(toEventFilter(row).enabled).toBe(false);
    expect(toEventFilter({ ...row, enabledAt: new Date() }).enabled).toBe(true);
  });
});
