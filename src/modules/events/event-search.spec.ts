import { DomainError } from '../../common/errors/domain-error';
import { idPrefixRange, parseEventSearch } from './event-search';

describe('parseEventSearch', () => {
  it('is undefined without a query or a body', () => {
    expect(parseEventSearch(undefined, undefined)).toBeUndefined();
    expect(parseEventSearch('  ', '')).toBeUndefined();
  });

  it('takes text as text and a JSON object as containment', () => {
    expect(parseEventSearch('invoice.paid', undefined)).toEqual({ text: 'invoice.paid', contains: [] });
    expect(parseEventSearch('{"a":{"b":1}}', undefined)).toEqual({ contains: ['{"a":{"b":1}}'] });
    expect(parseEventSearch('01J', ' {"x":true}')).toEqual({ text: '01J', contains: ['{"x":true}'] });
    expect(parseEventSearch('{"a":1}', '{"b":2}')).toEqual({ contains: ['{"a":1}', '{"b":2}'] });
    // the text goes to the database as sent, so a big integer keeps its digits
    expect(parseEventSearch(undefined, '{"n":12345678901234567890}')).toEqual({ contains: ['{"n":12345678901234567890}'] });
  });

  it('refuses a body that is not a JSON object, naming the field', () => {
    for (const bad of ['[1]', '"s"', '{nope', '3']) {
      expect(() => parseEventSearch(undefined, bad)).toThrow(DomainError);
      expect(() => parseEventSearch(undefined, bad)).toThrow('body must be a JSON object');
    }
    expect(() => parseEventSearch('{broken', undefined)).toThrow('query must be a JSON object');
  });
});

describe('idPrefixRange', () => {
  it('bounds every ULID with the prefix', () => {
    const r = idPrefixRange('01jx');
    expect(r).toEqual({ from: '01JX', to: '01JX' + 'Z'.repeat(22) });
    const id = '01JXZZZZZZZZZZZZZZZZZZZZZZ';
    expect(id >= r.from && id <= r.to).toBe(true);
  });
});
