import { parseQueryText, queryText } from './delivery-plan';

describe('stored query parameters', () => {
  it('keep repeated names and round-trip through the stored text', () => {
    const q = { plan: 'pro', tag: ['a', 'b'], 'with space': 'x&y=z' };
    const text = queryText(q);
    expect(parseQueryText(text)).toEqual(q);
    expect(queryText(undefined)).toBe('');
    expect(parseQueryText('')).toBeUndefined();
  });
});
