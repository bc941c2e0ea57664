import { compileFilter, FILTER_LIMITS, matchCompiled, matchFilter, MAX_MATCH_STEPS, MAX_REGEX_LENGTH, validateFilter } from './filter-engine';

// Convoy's pkg/compare test payloads, unflattened.
const CITIES = { cities: ['lagos', 'ibadan', 'agodi'], type: 'weekly', temperatures: [30, 12, 39.9, 10], person: { age: 12 } };
const MEETUP = [
  { event: 'meetup' },
  { venues: [{ lagos: ['ikeja', 'lekki', 'ifako'] }, { ibadan: ['bodija', 'dugbe'] }] },
  { speakers: [{ name: 'raymond' }, { name: 'subomi' }] },
];
const TALKS = {
  data: [{ event: 'meetup' }, { venue: 'test' }, { speakers: [{ name: 'raymond' }, { name: 'subomi' }] }],
  speakers: ['raymond', 'subomi'],
  swag: 'hoodies',
};

function expectValid(filter: unknown) {
  expect(validateFilter(filter)).toEqual([]);
}

describe("matchFilter: Convoy's compare test cases", () => {
  it.each([
    ['regex', { event: 'qwerty' }, { event: { $regex: '^[a-zA-Z]+$' } }, true],
    ['regex with prefix', { event: 'cs_qwerty' }, { event: { $regex: '^cs_[a-zA-Z]+$' } }, true],
    ['equal', { person: { age: 5 } }, { person: { age: 5 } }, true],
    ['equal with operator, number', { person: { age: 5 } }, { person: { age: { $eq: 5 } } }, true],
    ['equal with operator, string', { person: { name: 'tunde' } }, { person: { name: { $eq: 'tunde' } } }, true],
    ['not equal, false', { person: { age: 5 } }, { person: { age: { $neq: 5 } } }, false],
    ['not equal, true', { person: { age: 11 } }, { person: { age: { $neq: 5 } } }, true],
    ['less than, true', { person: { age: 11 } }, { person: { age: { $lt: 15 } } }, true],
    ['less than, false', { person: { age: 11 } }, { person: { age: { $lt: 5 } } }, false],
    ['greater than, true', { person: { age: 11 } }, { person: { age: { $gt: 5 } } }, true],
    ['greater than, false', { person: { age: 11 } }, { person: { age: { $gt: 50 } } }, false],
    ['in array, false', { person: { name: 'raymond' } }, { person: { name: { $in: ['subomi', 'daniel'] } } }, false],
    ['in array, true', { person: { name: 'subomi' } }, { person: { name: { $in: ['subomi', 'daniel'] } } }, true],
    ['not in array, true', { person: { name: 'raymond' } }, { person: { name: { $nin: ['subomi', 'daniel'] } } }, true],
    ['not in array, false', { person: { name: 'subomi' } }, { person: { name: { $nin: ['subomi', 'daniel'] } } }, false],
    ['query array value, true', { person: { name: ['subomi', 'daniel'] } }, { person: { name: 'subomi' } }, true],
    ['query array value, false', { person: { name: ['subomi', 'daniel'] } }, { person: { name: 'raymond' } }, false],
    ['$and', CITIES, { $and: [{ 'person.age': { $gte: 10 } }, { type: 'weekly' }, { cities: 'lagos' }] }, true],
    ['$or', CITIES, { $or: [{ type: 'monthly' }, { cities: 'lagos' }] }, true],
    ['$and and $or', CITIES, { $and: [{ 'person.age': { $gte: 10 } }, { $or: [{ type: 'weekly' }, { cities: 'lagos' }] }] }, true],
    ['$exist true', CITIES, { person: { age: { $exist: true } } }, true],
    ['array operator at the root', MEETUP, { '$.venues.$.lagos': 'ikeja' }, true],
    ['array operator, one level', TALKS, { 'data.$.event': 'meetup', 'data.$.venue': 'test' }, true],
    ['array operator, two levels', TALKS, { 'data.$.speakers.$.name': 'raymond', swag: 'hoodies' }, true],
    ['nothing', {}, {}, true],
    ['missing key', {}, { key: 'value' }, false],
    ['missing key, array payload', [], { key: 'value' }, false],
    ['$or over array operators', MEETUP, { $or: [{ '$.venues.$.lagos': 'ifako' }, { '$.venues.$.ibadan': 'dugbe' }] }, true],
  ])('%s', (_name, payload, filter, expected) => {
    expectValid(filter);
    expect(matchFilter(filter, payload)).toBe(expected);
  });

  it("matches Convoy's long URL regex", () => {
    const filter = {
      event: {
        $regex:
          '^(?P<scheme>[^:\\/?#]+):(?:\\/\\/)?(?:(?:(?P<login>[^:]+)(?::(?P<password>[^@]+)?)?@)?(?P<host>[^@\\/?#:]*)(?::(?P<port>\\d+)?)?)?(?P<path>[^?#]*)(?:\\?(?P<query>[^#]*))?(?:#(?P<fragment>.*))?',
      },
    };
    expectValid(filter);
    expect(matchFilter(filter, { event: 'https://admin:admin@example.com/eureka/apps?status=UP' })).toBe(true);
  });
});

// Convoy skips a condition whose key the payload lacks (and matches when another condition
// passed); Caravan fails it closed, so a filter never lets through what it names.
describe('matchFilter: missing fields and bad operands fail closed', () => {
  it.each([
    ['missing required field', { type: 'invoice' }, { type: 'invoice', customer: 'alice' }, false, false],
    ['missing, $exist false', { type: 'invoice' }, { customer: { $exist: false } }, true, false],
    ['missing, $exist true beside a match', { type: 'invoice' }, { type: 'invoice', customer: { $exist: true } }, false, false],
    ['present, $exist false', { customer: 'alice' }, { customer: { $exist: false } }, false, false],
    ['present, $exist not a boolean', { customer: 'alice' }, { customer: { $exist: 'yes' } }, false, true],
    ['missing, $exist not a boolean', { type: 'invoice' }, { customer: { $exist: 'yes' } }, false, true],
    ['non-numeric payload, $lt', { amount: 'invalid' }, { amount: { $lt: 10 } }, false, false],
    ['non-numeric operand, $lt', { amount: 5 }, { amount: { $lt: 'invalid' } }, false, true],
    ['valid $lt', { amount: 5 }, { amount: { $lt: 10 } }, true, false],
    ['equal is not less than', { amount: 10 }, { amount: { $lt: 10 } }, false, false],
    // `{}` tests nothing, in Convoy as here
    ['missing, empty object beside a match', { type: 'invoice' }, { type: 'invoice', customer: {} }, true, false],
    ['missing inside $or', { type: 'invoice' }, { $or: [{ type: 'invoice', customer: 'alice' }, { type: 'payment' }] }, false, false],
    ['valid $or branch', { type: 'invoice' }, { $or: [{ customer: 'alice' }, { type: 'invoice' }] }, true, false],
    ['missing, $exist false and $eq', { type: 'invoice' }, { customer: { $exist: false, $eq: 'alice' } }, false, false],
  ])('%s', (_name, payload, filter, expected, invalid) => {
    expect(validateFilter(filter).length > 0).toBe(invalid);
    expect(matchFilter(filter, payload)).toBe(expected);
  });

  it('finds a value in a mixed-type array with a single $in operand', () => {
    expect(matchFilter({ ids: { $in: 'a' } }, { ids: ['a', 1] })).toBe(true);
    expect(matchFilter({ ids: { $in: 1 } }, { ids: ['a', 1] })).toBe(true);
    expect(matchFilter({ ids: { $in: 'b' } }, { ids: ['a', 1] })).toBe(false);
  });
});

describe("validateFilter: Convoy's path edge cases", () => {
  it.each([
    ['data.$.venue.$', 'cannot end with the $'],
    ['$.venues.$.lagos.$', 'cannot end with the $'],
    ['$.$', 'cannot end with the $'],
    ['$.', 'empty segment'],
    ['.$', 'empty segment'],
    ['$..$', 'empty segment'],
    ['a..b', 'empty segment'],
    ['a.$.b.$.c.$.d.$.e', 'expected at most 3 but got 4'],
  ])('%s', (key, message) => {
    const problems = validateFilter({ [key]: 'test' });
    expect(problems).toEqual([expect.stringContaining(message)]);
    expect(matchFilter({ [key]: 'test' }, TALKS)).toBe(false);
  });

  it('allows three wildcards', () => {
    const payload = { a: [{ b: [{ c: [{ d: 1 }, { d: 2 }] }] }] };
    expectValid({ 'a.$.b.$.c.$.d': 2 });
    expect(matchFilter({ 'a.$.b.$.c.$.d': 2 }, payload)).toBe(true);
    expect(matchFilter({ 'a.$.b.$.c.$.d': 3 }, payload)).toBe(false);
  });
});

describe('matchFilter: paths', () => {
  const payload = { data: { user: { id: 42, email: 'a@b.co' }, 'meta.region': 'eu' }, 'top.level': true };

  it('treats dotted keys and nested objects alike, and mixes them', () => {
    for (const filter of [{ 'data.user.id': 42 }, { data: { user: { id: 42 } } }, { data: { 'user.id': 42 } }, { 'data.user': { id: 42 } }]) {
      expect(matchFilter(filter, payload)).toBe(true);
    }
    expect(matchFilter({ 'data.user.id': 43 }, payload)).toBe(false);
  });

  it('reaches payload keys that themselves contain dots', () => {
    expect(matchFilter({ 'data.meta.region': 'eu' }, payload)).toBe(true);
    expect(matchFilter({ 'top.level': true }, payload)).toBe(true);
    expect(matchFilter({ top: { level: true } }, payload)).toBe(true);
  });

  it('indexes arrays by position', () => {
    expect(matchFilter({ 'data.0.event': 'meetup' }, TALKS)).toBe(true);
    expect(matchFilter({ 'data.1.event': 'meetup' }, TALKS)).toBe(false);
    expect(matchFilter({ 'data.9.event': 'meetup' }, TALKS)).toBe(false);
    expect(matchFilter({ 'data.01.venue': 'test' }, TALKS)).toBe(false);
    // Convoy keeps an array of strings whole: it has no index keys
    expect(matchFilter({ 'speakers.1': 'subomi' }, TALKS)).toBe(false);
    expect(matchFilter({ speakers: 'subomi' }, TALKS)).toBe(true);
  });

  it('does not walk into arrays without an index or a wildcard', () => {
    expect(matchFilter({ 'data.event': 'meetup' }, TALKS)).toBe(false);
    expect(matchFilter({ 'data.$.event': 'meetup' }, TALKS)).toBe(true);
  });

  it('applies every operator of a wildcard path to the same element', () => {
    const order = {
      items: [
        { price: 5, qty: 0 },
        { price: 25, qty: 3 },
      ],
    };
    expect(matchFilter({ 'items.$.price': { $gt: 10 } }, order)).toBe(true);
    expect(matchFilter({ 'items.$.price': { $gt: 10, $lt: 20 } }, order)).toBe(false);
    expect(matchFilter({ 'items.$.price': { $gt: 1, $lt: 6 } }, order)).toBe(true);
    // separate keys are separate conditions, as after Convoy's flattening
    expect(matchFilter({ 'items.$.price': 5, 'items.$.qty': 3 }, order)).toBe(true);
  });

  it('matches wildcard conditions against nothing when the array is empty or absent', () => {
    expect(matchFilter({ 'items.$.price': { $gt: 0 } }, { items: [] })).toBe(false);
    // Convoy looks only at the elements that have the field, so `$exist: false` never holds under a wildcard
    expect(matchFilter({ 'items.$.price': { $exist: false } }, { items: [] })).toBe(false);
    expect(matchFilter({ 'items.$.price': { $exist: false } }, { items: [{ qty: 1 }] })).toBe(false);
    expect(matchFilter({ 'items.$.price': { $exist: false } }, { items: [{ price: 1 }] })).toBe(false);
    expect(matchFilter({ 'items.$': { price: 1 } }, { items: { price: 1 } })).toBe(false);
  });

  it('reads arrays of objects in the filter positionally, as Convoy flattens them', () => {
    expectValid({ items: [{ id: 1 }, { id: 2 }] });
    expect(matchFilter({ items: [{ id: 1 }, { id: 2 }] }, { items: [{ id: 1 }, { id: 2, x: 1 }] })).toBe(true);
    expect(matchFilter({ items: [{ id: 2 }] }, { items: [{ id: 1 }, { id: 2 }] })).toBe(false);
  });

  it('only sees own properties of the payload', () => {
    expect(matchFilter({ constructor: { $exist: true } }, {})).toBe(false);
    expect(matchFilter({ 'a.toString': { $exist: true } }, { a: {} })).toBe(false);
    expect(matchFilter({ 'a.length': 0 }, { a: [] })).toBe(false);
    expect(matchFilter(JSON.parse('{"__proto__": {"x": 1}}'), JSON.parse('{"__proto__": {"x": 1}}'))).toBe(true);
    expect(matchFilter(JSON.parse('{"__proto__": {"x": 1}}'), {})).toBe(false);
  });

  it('works on scalar and array payloads without throwing', () => {
    for (const payload of [null, 1, 'x', true, [], [1, 2]]) {
      expect(matchFilter({ a: 1 }, payload)).toBe(false);
      expect(matchFilter({}, payload)).toBe(true);
    }
    expect(matchFilter({ '$.a': 1 }, [{ a: 1 }])).toBe(true);
  });
});

describe('matchFilter: operators', () => {
  it('implicit equality: scalars, null, booleans, and arrays', () => {
    expect(matchFilter({ a: null }, { a: null })).toBe(true);
    expect(matchFilter({ a: null }, {})).toBe(false);
    expect(matchFilter({ a: false }, { a: false })).toBe(true);
    expect(matchFilter({ a: 0 }, { a: false })).toBe(false);
    expect(matchFilter({ a: '1' }, { a: 1 })).toBe(true);
    expect(matchFilter({ a: 1 }, { a: 1.0 })).toBe(true);
    expect(matchFilter({ tags: 'x' }, { tags: ['y', 'x'] })).toBe(true);
    // Convoy tests an array against an array by membership of one in the other: never
    expect(matchFilter({ tags: ['x', 'y'] }, { tags: ['x', 'y'] })).toBe(false);
    expect(matchFilter({ tags: ['x'] }, { tags: [['x'], 'z'] })).toBe(false);
    // `{"a": {}}` alone tests nothing, which Convoy answers with no match
    expect(matchFilter({ a: {} }, { a: {} })).toBe(false);
    expect(matchFilter({ a: {} }, { a: { b: 1 } })).toBe(false);
  });

  it('$eq and $neq compare what Convoy flattens to, and do not look inside arrays', () => {
    // a non-empty object has no key of its own after flattening: nothing to compare
    expect(matchFilter({ a: { $eq: { b: [1, { c: 2 }] } } }, { a: { b: [1, { c: 2 }] } })).toBe(false);
    expect(matchFilter({ a: { $eq: [1, 2] } }, { a: [1, 2] })).toBe(true);
    expect(matchFilter({ a: { $eq: {} } }, { a: {} })).toBe(true);
    expect(matchFilter({ tags: { $eq: 'x' } }, { tags: ['x'] })).toBe(false);
    expect(matchFilter({ tags: { $neq: 'x' } }, { tags: ['x'] })).toBe(true);
    expect(matchFilter({ a: { $neq: 'x' } }, {})).toBe(false);
  });

  it('numeric operators compare numbers and numeric strings only', () => {
    const p = { n: 10, s: '15', b: true, z: null };
    expect(matchFilter({ n: { $gte: 10 } }, p)).toBe(true);
    expect(matchFilter({ n: { $gt: 10 } }, p)).toBe(false);
    expect(matchFilter({ n: { $lte: 10 } }, p)).toBe(true);
    expect(matchFilter({ n: { $lt: 10.5 } }, p)).toBe(true);
    expect(matchFilter({ n: { $gt: -1e308 } }, p)).toBe(true);
    expect(matchFilter({ s: { $gt: 10 } }, p)).toBe(true);
    for (const field of ['b', 'z', 'missing']) {
      for (const op of ['$gt', '$gte', '$lt', '$lte']) expect(matchFilter({ [field]: { [op]: 0 } }, p)).toBe(false);
    }
  });

  it('ANDs several operators on one field (ranges)', () => {
    const range = { amount: { $gte: 100, $lt: 200 } };
    expect(matchFilter(range, { amount: 100 })).toBe(true);
    expect(matchFilter(range, { amount: 199.99 })).toBe(true);
    expect(matchFilter(range, { amount: 200 })).toBe(false);
    expect(matchFilter(range, { amount: 99 })).toBe(false);
  });

  it('ANDs operators with nested keys at the same level', () => {
    const filter = { data: { $exist: true, kind: 'order' } };
    expect(matchFilter(filter, { data: { kind: 'order' } })).toBe(true);
    expect(matchFilter(filter, { data: { kind: 'refund' } })).toBe(false);
  });

  it('$in and $nin take arrays of any JSON values', () => {
    expect(matchFilter({ op: { $in: ['created', 'deleted'] } }, { op: 'deleted' })).toBe(true);
    expect(matchFilter({ op: { $in: [{}, 2] } }, { op: {} })).toBe(true);
    expect(matchFilter({ op: { $in: [{ a: 1 }, 2] } }, { op: { a: 1 } })).toBe(false);
    expect(matchFilter({ op: { $in: [] } }, { op: 'x' })).toBe(false);
    expect(matchFilter({ op: { $nin: [] } }, { op: 'x' })).toBe(true);
    expect(matchFilter({ op: { $nin: ['updated', 'truncated'] } }, { op: 'created' })).toBe(true);
    expect(matchFilter({ op: { $nin: ['x'] } }, {})).toBe(false);
    // Convoy asks whether the whole array is one of the listed values
    expect(matchFilter({ tags: { $in: ['a', 'b'] } }, { tags: ['c', 'b'] })).toBe(false);
    expect(matchFilter({ tags: { $in: [['c', 'b']] } }, { tags: ['c', 'b'] })).toBe(true);
    expect(matchFilter({ tags: { $nin: ['a', 'b'] } }, { tags: ['c', 'b'] })).toBe(true);
  });

  it('$regex searches strings only, in RE2 syntax', () => {
    expect(matchFilter({ type: { $regex: 'order\\.' } }, { type: 'shop.order.created' })).toBe(true);
    expect(matchFilter({ type: { $regex: '^order\\.' } }, { type: 'shop.order.created' })).toBe(false);
    expect(matchFilter({ type: { $regex: '(?i)^SHOP' } }, { type: 'shop.order' })).toBe(true);
    expect(matchFilter({ n: { $regex: '1' } }, { n: 1 })).toBe(false);
    expect(matchFilter({ n: { $regex: '.*' } }, {})).toBe(false);
    expect(matchFilter({ tags: { $regex: '^b' } }, { tags: ['a', 'b'] })).toBe(false);
    expect(matchFilter({ 'tags.$.name': { $regex: '^b' } }, { tags: [{ name: 'a' }, { name: 'b' }] })).toBe(true);
    // Convoy refuses a path ending in the wildcard even before an operator
    expect(validateFilter({ 'tags.$': { $regex: '^b' } })).toEqual([expect.stringContaining('cannot end with the $')]);
  });

  it('$exist looks at presence, null included', () => {
    expect(matchFilter({ a: { $exist: true } }, { a: null })).toBe(true);
    expect(matchFilter({ a: { $exist: true } }, {})).toBe(false);
    expect(matchFilter({ a: { $exist: false } }, {})).toBe(true);
    expect(matchFilter({ a: { $exist: false } }, { a: null })).toBe(false);
    expect(matchFilter({ 'a.b': { $exist: true } }, { a: { b: { c: 1 } } })).toBe(true);
    expect(matchFilter({ a: { $exist: true } }, { a: { b: 1 } })).toBe(true);
  });

  it('$or and $and nest, and under a field they are relative to it', () => {
    const filter = { data: { $or: [{ status: 'paid' }, { amount: { $gt: 100 } }] } };
    expectValid(filter);
    expect(matchFilter(filter, { data: { status: 'paid', amount: 1 } })).toBe(true);
    expect(matchFilter(filter, { data: { status: 'open', amount: 101 } })).toBe(true);
    expect(matchFilter(filter, { data: { status: 'open', amount: 100 } })).toBe(false);
    expect(matchFilter(filter, { status: 'paid' })).toBe(false);
    expect(matchFilter({ $and: [{ a: 1 }, { $or: [{ b: 1 }, { $and: [{ c: 1 }, { d: 1 }] }] }] }, { a: 1, c: 1, d: 1 })).toBe(true);
    expect(matchFilter({ $and: [{ a: 1 }, { $or: [{ b: 1 }, { $and: [{ c: 1 }, { d: 1 }] }] }] }, { a: 1, c: 1 })).toBe(false);
  });

  it('treats an empty branch as always true, as an empty filter is', () => {
    expect(matchFilter({ $or: [{}, { a: 1 }] }, { a: 2 })).toBe(true);
    expect(matchFilter({ $and: [{}] }, { a: 2 })).toBe(true);
  });

  it('matches headers, whose values may be lists', () => {
    expect(matchFilter({ 'x-source': 'billing' }, { 'x-source': ['billing'] })).toBe(true);
    expect(matchFilter({ 'x-source': 'billing' }, { 'x-source': 'billing' })).toBe(true);
    expect(matchFilter({ 'x-source': 'billing' }, { 'x-source': ['crm'] })).toBe(false);
  });
});

describe('matchFilter: no filter', () => {
  it.each([[{}], [null], [undefined]])('%p matches everything and is valid', (filter) => {
    expect(validateFilter(filter)).toEqual([]);
    for (const payload of [{}, { a: 1 }, [], 'x', null]) expect(matchFilter(filter, payload)).toBe(true);
  });
});

describe('validateFilter', () => {
  it.each([
    [[], 'must be a JSON object'],
    ['{"a":1}', 'must be a JSON object'],
    [42, 'must be a JSON object'],
    [{ $gt: 1 }, '$gt must be applied to a field'],
    [{ $or: [{ $regex: 'x' }] }, '$regex must be applied to a field'],
    [{ a: { $foo: 1 } }, 'a.$foo: $foo starts with a $ and is not a valid operator'],
    [{ $nor: [{ a: 1 }] }, '$nor: $nor starts with a $ and is not a valid operator'],
    [{ $or: { a: 1 } }, 'the value of $or must be an array'],
    [{ $or: [1] }, '$or[0]: each $or entry must be a filter object'],
    [{ a: { $gte: 'five' } }, 'a.$gte: $gte needs a number'],
    [{ a: { $in: { x: 1 } } }, 'a.$in: $in needs an array'],
    [{ a: { $exist: 1 } }, 'a.$exist: $exist needs true or false'],
    [{ a: { $regex: 5 } }, 'a.$regex: $regex needs a string'],
    [{ a: { $regex: '(a' } }, 'a.$regex: invalid $regex: missing closing )'],
    [{ a: { $regex: '(a)\\1' } }, 'backreferences are not supported'],
    [{ a: { $regex: '(?=a)' } }, 'lookahead is not supported'],
    [{ a: { $regex: 'x'.repeat(MAX_REGEX_LENGTH + 1) } }, `longer than ${MAX_REGEX_LENGTH}`],
    [{ a: Number.NaN }, 'numbers must be finite'],
    [{ a: undefined }, 'only JSON values'],
    [{ a: new Date(0) }, 'only JSON values'],
    [{ ['k'.repeat(FILTER_LIMITS.maxKeyLength + 1)]: 1 }, `key longer than ${FILTER_LIMITS.maxKeyLength}`],
    [{ [Array.from({ length: 33 }, (_, i) => `s${i}`).join('.')]: 1 }, 'more than 32 segments'],
  ])('%j → %s', (filter, message) => {
    const problems = validateFilter(filter);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toContain(message);
    expect(matchFilter(filter, { a: 1 })).toBe(false);
  });

  it('reports every problem, each with its place', () => {
    const problems = validateFilter({ a: { $gt: 'x' }, b: { $regex: '[' }, $or: [{ c: { $exist: 2 } }] });
    expect(problems).toEqual([expect.stringContaining('a.$gt'), expect.stringContaining('b.$regex'), expect.stringContaining('$or[0].c.$exist')]);
  });

  it('caps the number of problems it lists', () => {
    const filter = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`f${i}`, { $gt: 'x' }]));
    expect(validateFilter(filter)).toHaveLength(20);
  });

  it('caps depth and size before descending into the document', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < FILTER_LIMITS.maxDepth; i++) deep = { n: deep };
    expect(validateFilter(deep)).toEqual([expect.stringContaining(`deeper than ${FILTER_LIMITS.maxDepth}`)]);

    let hostile: Record<string, unknown> = {};
    for (let i = 0; i < 200_000; i++) hostile = { $or: [hostile] };
    expect(validateFilter(hostile)).toEqual([expect.stringContaining('deeper than')]);

    const wide = Object.fromEntries(Array.from({ length: FILTER_LIMITS.maxNodes + 1 }, (_, i) => [`k${i}`, i]));
    expect(validateFilter(wide)).toEqual([expect.stringContaining(`more than ${FILTER_LIMITS.maxNodes}`)]);
    expect(validateFilter({ a: { $in: Array.from({ length: FILTER_LIMITS.maxNodes }, (_, i) => i) } })).toEqual([expect.stringContaining('more than')]);
  });

  it('accepts the examples of Convoy’s filter documentation', () => {
    for (const filter of [
      { event_type: 'created' },
      { event: { type: 'created' } },
      { dish: { ingredients: 'rice' } },
      { event: { $neq: 'created' } },
      { $or: [{ cities: 'london' }, { type: 'weekly' }] },
      { $and: [{ age: { $gte: 10 } }, { $or: [{ type: 'weekly' }, { cities: 'lagos' }] }] },
      { operation: { $in: ['created', 'deleted'] } },
      { operation: { $nin: ['updated', 'truncated'] } },
      { age: { $gt: 1 } },
      { '$.venues.$.lagos': 'ikeja' },
      { event: { $regex: '^cs_[a-zA-Z]+$' } },
    ]) {
      expectValid(filter);
    }
  });
});

describe('matchFilter: hostile input stays cheap', () => {
  const elapsed = (fn: () => unknown) => {
    const started = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - started) / 1e6;
  };

  it('runs a catastrophic-in-JavaScript regex over a long string in linear time', () => {
    const filter = { s: { $regex: '\\d+\\d+\\d+x' } };
    let result: boolean | undefined;
    expect(elapsed(() => (result = matchFilter(filter, { s: '1'.repeat(200_000) })))).toBeLessThan(3000);
    expect(result).toBe(false);
  });

  it('gives up (no match) once three nested wildcards fan out past the step budget', () => {
    // shared rows keep the test small in memory; the walk still visits 200³ leaves
    const leaves = Array.from({ length: 200 }, () => ({ d: 0 }));
    const middle = Array.from({ length: 200 }, () => ({ c: leaves }));
    const payload = { a: Array.from({ length: 200 }, () => ({ b: middle })) };
    const compiled = compileFilter({ 'a.$.b.$.c.$.d': 1 });
    if (!compiled.ok) throw new Error('filter should compile');
    const budget = { remaining: 100_000 };
    expect(matchCompiled(compiled.filter, payload, budget)).toBe(false);
    expect(budget.remaining).toBeLessThan(0);
    expect(matchCompiled(compiled.filter, { a: [{ b: [{ c: [{ d: 1 }] }] }] }, { remaining: 100_000 })).toBe(true);
  });

  it('stops at the first match instead of walking the rest', () => {
    const leaves = Array.from({ length: 200 }, () => ({ d: 1 }));
    const payload = { a: Array.from({ length: 200 }, () => ({ b: Array.from({ length: 200 }, () => ({ c: leaves })) })) };
    const compiled = compileFilter({ 'a.$.b.$.c.$.d': 1 });
    if (!compiled.ok) throw new Error('filter should compile');
    const budget = { remaining: 1000 };
    expect(matchCompiled(compiled.filter, payload, budget)).toBe(true);
  });

  it('handles a body-limit-sized payload well inside the default budget', () => {
    const payload = { items: Array.from({ length: 5000 }, (_, i) => ({ id: i, sku: `SKU-${i}`, tags: ['a', 'b'], price: i % 100 })) };
    const filter = { 'items.$.sku': { $regex: '^SKU-4999$' }, 'items.$.price': { $gte: 99 } };
    const compiled = compileFilter(filter);
    if (!compiled.ok) throw new Error('filter should compile');
    const budget = { remaining: MAX_MATCH_STEPS };
    expect(matchCompiled(compiled.filter, payload, budget)).toBe(true);
    expect(MAX_MATCH_STEPS - budget.remaining).toBeLessThan(MAX_MATCH_STEPS / 4);
  });
});

describe('compileFilter', () => {
  it('compiles a filter object once', () => {
    const filter = { a: { $regex: 'x' } };
    expect(compileFilter(filter)).toBe(compileFilter(filter));
    expect(compileFilter({ a: { $regex: 'x' } })).not.toBe(compileFilter(filter));
  });

  it('reports problems the same way validateFilter does', () => {
    expect(compileFilter({ $bad: 1 })).toEqual({ ok: false, problems: validateFilter({ $bad: 1 }) });
  });
});

describe('the step budget covers every operator', () => {
  const bomb = Array.from({ length: 50_000 }, (_, i) => `v${i}`);
  const listed = Array.from({ length: 900 }, (_, i) => `x${i}`);

  // arrays as long as the filter's, differing only at the end: each comparison walks all of it
  const nearMiss = [...listed.slice(0, -1), 'different'];

  const items = Array.from({ length: 2_000 }, () => ({ tags: nearMiss }));

  it.each([
    ['$in of one value against a large array', { tags: { $in: 'absent' } }, { tags: bomb }],
    ['$nin of one value against a large array', { tags: { $nin: 'absent' } }, { tags: bomb }],
    ['array containment', { tags: 'absent' }, { tags: bomb }],
    ['$in of arrays', { 'items.$.tags': { $in: [listed] } }, { items }],
    ['$eq of arrays', { 'items.$.tags': { $eq: listed } }, { items }],
  ])('counts %s, and gives up (no match) past the budget', (_what, filter, payload) => {
    const compiled = compileFilter(filter);
    if (!compiled.ok) throw new Error(`filter should compile: ${compiled.problems.join('; ')}`);
    const budget = { remaining: 20_000 };
    expect(matchCompiled(compiled.filter, payload, budget)).toBe(false);
    expect(budget.remaining).toBeLessThan(0);
  });

  it('shares one allowance across the filters of one event, failing the rest closed', () => {
    const compiled = compileFilter({ tags: { $in: 'absent' } });
    if (!compiled.ok) throw new Error('filter should compile');
    const budget = { remaining: 1_000 };
    expect(matchCompiled(compiled.filter, { tags: bomb }, budget)).toBe(false);
    const cheap = compileFilter({ a: 1 });
    if (!cheap.ok) throw new Error('filter should compile');
    expect(matchCompiled(cheap.filter, { a: 1 }, budget)).toBe(false);
    expect(matchCompiled(cheap.filter, { a: 1 })).toBe(true);
  });

  it('refuses a filter document past its size', () => {
    expect(validateFilter({ a: { $in: Array.from({ length: 900 }, () => 'y'.repeat(100)) } })).toEqual([
      `filter has more than ${FILTER_LIMITS.maxChars} characters of keys and strings`,
    ]);
  });
});
