import { parseGoFloat } from './convoy-values';
import { matchFilter, validateFilter } from './filter-engine';

/**
 * The edge cases of Convoy's filters (`pkg/flatten` flattens the payload into dotted keys,
 * `pkg/compare` tests the filter key by key), each stated as Convoy answers it. Where Caravan
 * answers otherwise on purpose, the case says what Convoy does and why Caravan does not.
 */
const match = (filter: Record<string, unknown>, payload: unknown) => {
  expect(validateFilter(filter)).toEqual([]);
  return matchFilter(filter, payload);
};

describe('numbers as Convoy reads them (Go strconv.ParseFloat)', () => {
  it.each([
    ['5', 5],
    ['-5', -5],
    ['+5', 5],
    ['5.', 5],
    ['.5', 0.5],
    ['007', 7],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['1_000', 1000],
    ['1_0.5e1_0', 10.5e10],
    ['0x1p-2', 0.25],
    ['0X1.8P1', 3],
    ['0x_1p0', 1],
    ['inf', Infinity],
    ['-Infinity', -Infinity],
    ['+INF', Infinity],
  ])('%s is %d', (text, value) => {
    expect(parseGoFloat(text)).toBe(value);
  });

  it.each([
    [''],
    [' 5'],
    ['5 '],
    ['1e400'],
    ['0x1F'],
    ['_1'],
    ['1_'],
    ['1__0'],
    ['1_.5'],
    ['1e'],
    ['.'],
    ['+'],
    ['five'],
    ['+nan'],
    ['1,5'],
    ['Infinit'],
    ['0b101'],
  ])('%j is not a number', (text) => {
    expect(parseGoFloat(text)).toBeUndefined();
  });

  it('NaN is a number that equals nothing, not even itself', () => {
    expect(parseGoFloat('NaN')).toBeNaN();
    expect(match({ a: 'NaN' }, { a: 'NaN' })).toBe(false);
    expect(match({ a: { $neq: 'nan' } }, { a: 'NaN' })).toBe(true);
  });
});

describe('numeric strings compared with numbers', () => {
  it('$eq, $neq and plain equality read both sides as numbers when they are numeric', () => {
    expect(match({ amount: 5 }, { amount: '5' })).toBe(true);
    expect(match({ amount: '5' }, { amount: 5 })).toBe(true);
    expect(match({ amount: '5.0' }, { amount: '5' })).toBe(true);
    expect(match({ amount: '1e2' }, { amount: 100 })).toBe(true);
    expect(match({ amount: { $eq: 5 } }, { amount: '5.00' })).toBe(true);
    expect(match({ amount: { $neq: 5 } }, { amount: '5' })).toBe(false);
    expect(match({ amount: 5 }, { amount: ' 5' })).toBe(false);
    expect(match({ amount: 5 }, { amount: 'five' })).toBe(false);
  });

  it('$gt, $gte, $lt and $lte compare numeric strings as numbers, on either side', () => {
    expect(match({ amount: { $gt: 10 } }, { amount: '15' })).toBe(true);
    expect(match({ amount: { $gt: '10' } }, { amount: 15 })).toBe(true);
    expect(match({ amount: { $lte: 10 } }, { amount: '1e1' })).toBe(true);
    expect(match({ amount: { $lt: 10 } }, { amount: '9.99' })).toBe(true);
    expect(match({ amount: { $gte: '0x10p0' } }, { amount: 16 })).toBe(true);
  });

  it('$in and array containment use Go ==: no conversion', () => {
    expect(match({ code: { $in: [1, 2] } }, { code: 1 })).toBe(true);
    expect(match({ code: { $in: [1, 2] } }, { code: '1' })).toBe(false);
    expect(match({ code: { $nin: [1, 2] } }, { code: '1' })).toBe(true);
    expect(match({ codes: 1 }, { codes: ['1', '2'] })).toBe(false);
    expect(match({ codes: 1 }, { codes: [1, 2] })).toBe(true);
  });
});

describe('type mismatches', () => {
  it('a value that is not numeric fails $gt and $gte (Convoy: no match), $lte (Convoy: an error) and $lt', () => {
    for (const amount of ['free', true, null, [1], {}]) {
      for (const op of ['$gt', '$gte', '$lt', '$lte']) expect(match({ amount: { [op]: 10 } }, { amount })).toBe(false);
    }
    // Convoy computes $lt as "not $gte", so `{"$lt": 10}` passes "free"; Caravan does not let it through
  });

  it('$regex searches strings only (Convoy errors on anything else: no match)', () => {
    expect(match({ id: { $regex: '^4' } }, { id: 42 })).toBe(false);
    expect(match({ id: { $regex: '^4' } }, { id: '42' })).toBe(true);
    expect(match({ id: { $regex: '' } }, { id: '' })).toBe(true);
    expect(match({ id: { $regex: '^4' } }, { id: ['42'] })).toBe(false);
    expect(match({ id: { $regex: '.*' } }, { id: null })).toBe(false);
  });

  it('one $in/$nin operand asks whether the payload array holds it (Convoy errors on a non-array: no match)', () => {
    expect(match({ tags: { $in: 'a' } }, { tags: ['a', 'b'] })).toBe(true);
    expect(match({ tags: { $nin: 'a' } }, { tags: ['b'] })).toBe(true);
    expect(match({ tag: { $in: 'a' } }, { tag: 'a' })).toBe(false);
    expect(match({ tag: { $nin: 'a' } }, { tag: 'b' })).toBe(false);
  });

  it('a list $in/$nin asks whether the whole value is listed, arrays included', () => {
    expect(match({ tags: { $in: ['a'] } }, { tags: ['a'] })).toBe(false);
    expect(match({ tags: { $nin: ['a'] } }, { tags: ['a'] })).toBe(true);
    expect(match({ tags: { $in: [['a']] } }, { tags: ['a'] })).toBe(true);
  });

  it('an array as the expected value matches nothing, as Convoy tests it by membership in itself', () => {
    expect(match({ tags: ['a'] }, { tags: ['a'] })).toBe(false);
    expect(match({ tags: ['a'] }, { tags: 'a' })).toBe(false);
    expect(match({ tags: [] }, { tags: [] })).toBe(false);
    // an explicit $eq compares the arrays
    expect(match({ tags: { $eq: ['a'] } }, { tags: ['a'] })).toBe(true);
  });

  it('booleans, strings and numbers never equal each other', () => {
    expect(match({ on: true }, { on: 'true' })).toBe(false);
    expect(match({ on: 1 }, { on: true })).toBe(false);
    expect(match({ on: '0' }, { on: false })).toBe(false);
  });
});

describe('null', () => {
  it('equals null, is listed by $in, and is present for $exist', () => {
    expect(match({ a: null }, { a: null })).toBe(true);
    expect(match({ a: { $eq: null } }, { a: 0 })).toBe(false);
    expect(match({ a: { $neq: null } }, { a: 'x' })).toBe(true);
    expect(match({ a: { $in: [null, 1] } }, { a: null })).toBe(true);
    expect(match({ a: { $exist: true } }, { a: null })).toBe(true);
    expect(match({ a: { $gte: 0 } }, { a: null })).toBe(false);
  });

  it('a null payload matches only the empty filter', () => {
    expect(matchFilter({}, null)).toBe(true);
    expect(match({ a: null }, null)).toBe(false);
  });

  it('an array that starts with null is an array of objects: only its objects are reached', () => {
    expect(match({ 'items.1.id': 7 }, { items: [null, { id: 7 }] })).toBe(true);
    expect(match({ 'items.$.id': 7 }, { items: [null, { id: 7 }] })).toBe(true);
    expect(match({ items: null }, { items: [null] })).toBe(false);
  });
});

describe('empty $and and $or', () => {
  it('$and: [] always holds and $or: [] never does, as Convoy folds them', () => {
    expect(match({ $and: [] }, { a: 1 })).toBe(true);
    expect(match({ $or: [] }, { a: 1 })).toBe(false);
    expect(match({ a: 1, $and: [] }, { a: 1 })).toBe(true);
    expect(match({ a: 1, $or: [] }, { a: 1 })).toBe(false);
  });

  it('an empty entry holds, as an empty filter does', () => {
    expect(match({ $or: [{}] }, { a: 1 })).toBe(true);
    expect(match({ $and: [{}, { a: 1 }] }, { a: 1 })).toBe(true);
  });

  it('an entry that names fields but tests none does not hold', () => {
    expect(match({ $or: [{ a: {} }] }, { a: {} })).toBe(false);
    expect(match({ $or: [{ a: {} }, { b: 1 }] }, { b: 1 })).toBe(true);
  });
});

describe('unusual keys', () => {
  it('dots: a dotted filter key, nested objects and dotted payload keys all reach the same flattened key', () => {
    for (const payload of [{ a: { b: 1 } }, { 'a.b': 1 }]) {
      expect(match({ 'a.b': 1 }, payload)).toBe(true);
      expect(match({ a: { b: 1 } }, payload)).toBe(true);
    }
    expect(match({ 'a.b.c': 1 }, { 'a.b': { c: 1 } })).toBe(true);
  });

  it('$ prefixes: filter keys must be operators, `$` and `$.…` are the array wildcard', () => {
    expect(validateFilter({ $foo: 1 })).toEqual([expect.stringContaining('not a valid operator')]);
    expect(validateFilter({ a: { $where: 'x' } })).toEqual([expect.stringContaining('not a valid operator')]);
    expect(match({ '$.id': 1 }, [{ id: 2 }, { id: 1 }])).toBe(true);
    // a key ending in `$` without a dot before it is an ordinary key
    expect(match({ price$: 1 }, { price$: 1 })).toBe(true);
  });

  it('$ prefixes in the payload are ordinary keys (Convoy cannot flatten such a payload and fails the event)', () => {
    expect(match({ id: 1 }, { $schema: 'x', id: 1 })).toBe(true);
  });

  it('arrays: objects of an array of objects are reached by index or wildcard; arrays of scalars only whole', () => {
    const payload = { items: [{ id: 1 }, { id: 2 }], tags: ['a', 'b'], mixed: [1, { id: 3 }] };
    expect(match({ 'items.1.id': 2 }, payload)).toBe(true);
    expect(match({ 'items.$.id': 2 }, payload)).toBe(true);
    expect(match({ 'items.2.id': 2 }, payload)).toBe(false);
    expect(match({ 'items.01.id': 2 }, payload)).toBe(false);
    expect(match({ 'tags.0': 'a' }, payload)).toBe(false);
    expect(match({ tags: 'a' }, payload)).toBe(true);
    // an array that starts with a scalar is kept whole, its objects included
    expect(match({ 'mixed.1.id': 3 }, payload)).toBe(false);
    expect(match({ 'mixed.$.id': 3 }, payload)).toBe(false);
  });

  it('arrays in the filter: objects constrain the element at their position, anything else beside them is dropped', () => {
    expect(match({ items: [{ id: 1 }, { id: 2 }] }, { items: [{ id: 1 }, { id: 2 }] })).toBe(true);
    expect(match({ items: [{ id: 2 }] }, { items: [{ id: 1 }, { id: 2 }] })).toBe(false);
    expect(match({ items: [null, { id: 2 }] }, { items: [{ id: 1 }, { id: 2 }] })).toBe(true);
  });

  it('numeric object keys are keys like any other', () => {
    expect(match({ 'byId.7.name': 'x' }, { byId: { '7': { name: 'x' } } })).toBe(true);
  });

  it('a non-empty object is not a value to compare: only its keys are', () => {
    expect(match({ a: { $eq: { b: 1 } } }, { a: { b: 1 } })).toBe(false);
    expect(match({ a: { $neq: 'x' } }, { a: { b: 1 } })).toBe(false);
    expect(match({ a: { $in: [{ b: 1 }] } }, { a: { b: 1 } })).toBe(false);
    expect(match({ a: {} }, { a: {} })).toBe(false);
    expect(match({ a: { $eq: {} } }, { a: {} })).toBe(true);
  });
});

describe('$exist', () => {
  it('true for any value that is there, null and objects included; false for a missing one', () => {
    expect(match({ a: { $exist: true } }, { a: 0 })).toBe(true);
    expect(match({ a: { $exist: true } }, { a: { b: 1 } })).toBe(true);
    expect(match({ a: { $exist: true } }, {})).toBe(false);
    expect(match({ a: { $exist: false } }, { a: null })).toBe(false);
    // Convoy skips a key the payload lacks, so alone `{"$exist": false}` never matches there;
    // Caravan gives it the meaning Convoy's `exist` documents: the field is undefined
    expect(match({ a: { $exist: false } }, {})).toBe(true);
    expect(match({ a: { $exist: false }, b: 1 }, { b: 1 })).toBe(true);
  });

  it('under a wildcard, looks only at elements that have the field, so $exist: false never holds there', () => {
    expect(match({ 'items.$.id': { $exist: true } }, { items: [{ x: 1 }, { id: 2 }] })).toBe(true);
    expect(match({ 'items.$.id': { $exist: true } }, { items: [{ x: 1 }] })).toBe(false);
    expect(match({ 'items.$.id': { $exist: false } }, { items: [{ x: 1 }] })).toBe(false);
  });

  it('is refused unless it is true or false (Convoy panics on anything else)', () => {
    expect(validateFilter({ a: { $exist: 'yes' } })).toEqual([expect.stringContaining('$exist needs true or false')]);
  });
});

describe('$regex', () => {
  it('is unanchored and RE2: finds a match anywhere, supports (?i) and named groups', () => {
    expect(match({ t: { $regex: 'paid' } }, { t: 'invoice.paid.late' })).toBe(true);
    expect(match({ t: { $regex: '(?i)PAID' } }, { t: 'paid' })).toBe(true);
    expect(match({ t: { $regex: '^(?P<kind>invoice)\\.' } }, { t: 'invoice.paid' })).toBe(true);
  });

  it('refuses what RE2 cannot compile, as Convoy fails it', () => {
    expect(validateFilter({ t: { $regex: '(a' } })).toEqual([expect.stringContaining('invalid $regex')]);
    expect(validateFilter({ t: { $regex: 7 } })).toEqual([expect.stringContaining('$regex needs a string')]);
  });
});
