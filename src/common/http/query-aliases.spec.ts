import { withConvoyQueryNames } from './query-aliases';

describe('withConvoyQueryNames', () => {
  it("maps the other spelling of a list filter to Convoy's", () => {
    expect(withConvoyQueryNames({ endpoint_id: ['a', 'b'], eventType: 'x', per_page: '5', nextPageCursor: 'c' })).toEqual({
      query: { endpointId: ['a', 'b'], event_type: 'x', perPage: '5', next_page_cursor: 'c' },
    });
  });

  it("leaves Convoy's spellings and unknown names alone", () => {
    const q = { endpointId: 'a', event_type: 'x', orgID: 'o', q: 'search' };
    expect(withConvoyQueryNames(q)).toEqual({ query: q });
  });

  it('refuses one filter sent in both spellings', () => {
    expect(withConvoyQueryNames({ endpointId: 'a', endpoint_id: 'b' })).toEqual({ conflict: ['endpointId', 'endpoint_id'] });
  });
});
