import { checkAgainstConvoy } from './convoy-contract';

const event = (headers: unknown) =>
  JSON.stringify({
    status: true,
    message: 'ok',
    data: { uid: 'e1', event_type: 'x', headers, endpoints: ['a'], data: {}, extra_caravan_field: 1, deleted_at: null },
  });

describe("checkAgainstConvoy (the contract test's check)", () => {
  it("accepts an answer with Convoy's types, extra fields and nulls included", () => {
    expect(checkAgainstConvoy('GET', '/api/v1/projects/p1/events/e1', 200, event({ 'x-tenant': ['acme'] }))).toBeUndefined();
  });

  it("reports a field that has another type than Convoy's", () => {
    const v = checkAgainstConvoy('GET', '/api/v1/projects/p1/events/e1?x=1', 200, event({ 'x-tenant': 'acme' }));
    expect(v?.route).toBe('GET /v1/projects/{projectID}/events/{eventID}');
    expect(v?.errors.join(' ')).toContain('/data/headers/x-tenant');
  });

  it('picks the literal route over the templated one, and ignores routes Convoy does not have', () => {
    const notArray = JSON.stringify({ status: true, message: 'ok', data: { content: [] } });
    expect(checkAgainstConvoy('GET', '/api/v1/projects/p1/endpoints/period-failure-rates', 200, notArray)?.route).toBe(
      'GET /v1/projects/{projectID}/endpoints/period-failure-rates',
    );
    expect(checkAgainstConvoy('GET', '/api/v1/projects/p1/api-keys', 200, '{}')).toBeUndefined();
  });
});
