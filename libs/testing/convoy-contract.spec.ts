import { checkAgainstConvoy } from './convoy-contract';

/** An event answer with every field of Convoy's EventResponse, plus one of Caravan's own. */
function eventData(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    uid: 'e1',
    project_id: 'p1',
    event_type: 'x',
    endpoints: ['a'],
    source_id: '',
    idempotency_key: '',
    is_duplicate_event: false,
    headers: { 'x-tenant': ['acme'] },
    data: {},
    raw: '{}',
    url_query_params: '',
    url_path: '',
    endpoint_metadata: [],
    status: 'Success',
    failure_reason: '',
    acknowledged_at: '2026-01-01T00:00:00Z',
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    deleted_at: null,
    extra_caravan_field: 1,
    ...overrides,
  };
}

const answer = (data: Record<string, unknown>) => JSON.stringify({ status: true, message: 'ok', data });

describe("checkAgainstConvoy (the contract test's check)", () => {
  it("accepts an answer with Convoy's fields and types, extra fields and nulls included", () => {
    expect(checkAgainstConvoy('GET', '/api/v1/projects/p1/events/e1', 200, answer(eventData()))).toBeUndefined();
  });

  it("reports a field that has another type than Convoy's", () => {
    const v = checkAgainstConvoy('GET', '/api/v1/projects/p1/events/e1?x=1', 200, answer(eventData({ headers: { 'x-tenant': 'acme' } })));
    expect(v?.route).toBe('GET /v1/projects/{projectID}/events/{eventID}');
    expect(v?.errors.join(' ')).toContain('/data/headers/x-tenant');
  });

  it('reports a field Convoy always sends that is missing, and lets one it may leave out be', () => {
    const withoutStatus = eventData();
    delete withoutStatus.status;
    expect(checkAgainstConvoy('GET', '/api/v1/projects/p1/events/e1', 200, answer(withoutStatus))?.errors.join(' ')).toContain(
      "must have required property 'status'",
    );
    const withoutAppId = eventData();
    delete withoutAppId.app_id;
    expect(checkAgainstConvoy('GET', '/api/v1/projects/p1/events/e1', 200, answer(withoutAppId))).toBeUndefined();
  });

  it('picks the literal route over the templated one, and ignores routes Convoy does not have', () => {
    const notArray = JSON.stringify({ status: true, message: 'ok', data: { content: [] } });
    expect(checkAgainstConvoy('GET', '/api/v1/projects/p1/endpoints/period-failure-rates', 200, notArray)?.route).toBe(
      'GET /v1/projects/{projectID}/endpoints/period-failure-rates',
    );
    expect(checkAgainstConvoy('GET', '/api/v1/projects/p1/api-keys', 200, '{}')).toBeUndefined();
  });

  it("checks the portal link operations against Convoy's PortalLinkResponse", () => {
    const link: Record<string, unknown> = {
      uid: 'l1',
      project_id: 'p1',
      name: 'portal',
      owner_id: 'acme',
      url: 'http://localhost:5005/portal?token=PRT.a.b',
      token: 'PRT.a.b',
      auth_key: '',
      auth_type: 'static_token',
      can_manage_endpoint: false,
      endpoints: [],
      endpoint_count: 0,
      endpoints_metadata: [],
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      deleted_at: null,
    };
    const base = '/api/v1/projects/p1/portal-links';
    expect(checkAgainstConvoy('POST', base, 201, answer(link))).toBeUndefined();
    expect(checkAgainstConvoy('GET', `${base}/l1`, 200, answer(link))).toBeUndefined();
    expect(checkAgainstConvoy('PUT', `${base}/l1`, 202, answer(link))).toBeUndefined();
    expect(
      checkAgainstConvoy(
        'GET',
        base,
        200,
        answer({ content: [link], pagination: { per_page: 20, has_next_page: false, has_prev_page: false, prev_page_cursor: 'l1', next_page_cursor: 'l1' } }),
      ),
    ).toBeUndefined();
    expect(checkAgainstConvoy('GET', `${base}/l1/refresh_token`, 200, JSON.stringify({ status: true, message: 'ok', data: 'PRT.a.b' }))).toBeUndefined();
    expect(checkAgainstConvoy('PUT', `${base}/l1/revoke`, 200, JSON.stringify({ status: true, message: 'ok', data: null }))).toBeUndefined();
    const { auth_key: _dropped, ...withoutKey } = link;
    expect(checkAgainstConvoy('GET', `${base}/l1`, 200, answer(withoutKey))?.errors.join(' ')).toContain("must have required property 'auth_key'");
    expect(checkAgainstConvoy('GET', `${base}/l1/refresh_token`, 200, answer({ token: 'x' }))?.route).toBe(
      'GET /v1/projects/{projectID}/portal-links/{portalLinkID}/refresh_token',
    );
  });
});
