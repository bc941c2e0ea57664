import type { DeliveryQueue, Wakeable } from '../../delivery-queue';
import type { EndpointEntity, EndpointsService } from '../../endpoints';
import type { ProjectEntity, ProjectsService } from '../../projects';
import { defaultProjectConfig } from '../../projects/project-config';
import type { RoutingSubscription, SubscriptionEntity, SubscriptionsService } from '../../subscriptions';
import type { EventEntity } from '../event.entity';
import type { EventWriter, NewEvent } from '../event-writer';
import type { EventsRepository } from '../events.repository';
import { IngestEvent } from './ingest-event';
import type { IngestEventCommand } from './ingest-event.command';

/** The one way in, with its collaborators faked: every guard runs before anything is written. */
const project = { id: 'p1', config: { ...defaultProjectConfig(new Date(0), 'v1'), max_payload_read_size: 1024 } } as ProjectEntity;
const ep = { id: 'ep1', projectId: 'p1', deletedAt: null, status: 'active' } as EndpointEntity;

/** A subscription with one filter row per event type of its filter_config, as the service makes them. */
function sub(id: string, over: Partial<SubscriptionEntity> = {}): RoutingSubscription {
  const s = {
    id,
    endpointId: 'ep1',
    sourceId: null,
    deliveryMode: 'at_least_once',
    filterConfig: { event_types: ['*'], filter: { body: {}, headers: {} } },
    ...over,
  } as SubscriptionEntity;
  const f = s.filterConfig.filter;
  const row = { enabled: true, headers: f.headers, body: f.body, query: f.query ?? {}, path: f.path ?? {} };
  return Object.assign(s, { filters: new Map(s.filterConfig.event_types.map((t) => [t, row])) });
}

class World {
  subs: RoutingSubscription[] = [sub('s1')];
  written: NewEvent[] = [];
  created: string[] = [];
  woken: Wakeable[] = [];
  existing?: EventEntity;

  ingest(): IngestEvent {
    const projects = { getCached: () => Promise.resolve(project) } as unknown as ProjectsService;
    const endpoints = {
      getForDelivery: (id: string) => Promise.resolve(id === 'ep1' ? ep : null),
      findByOwner: () => Promise.resolve([]),
    } as unknown as EndpointsService;
    const subscriptions = {
      forRouting: () => Promise.resolve(this.subs),
      // as the real one: endpoints without a subscription get a catch-all
      subscribeUnsubscribed: (_p: string, ids: string[], subs: RoutingSubscription[]) => {
        const missing = ids.filter((id) => !subs.some((x) => x.endpointId === id));
        this.created.push(...missing);
        this.subs = [...subs, ...missing.map((id) => sub(`catch-all-${id}`, { endpointId: id }))];
        return Promise.resolve(this.subs);
      },
    } as unknown as SubscriptionsService;
    const events = { findByIdempotencyKey: () => Promise.resolve(this.existing ?? null) } as unknown as EventsRepository;
    const writer = {
      write: (ev: NewEvent) => {
        this.written.push(ev);
        return Promise.resolve({ inserted: !this.existing });
      },
    } as unknown as EventWriter;
    const queue = { wake: (w: Wakeable[]) => this.woken.push(...w) } as unknown as DeliveryQueue;
    return new IngestEvent(projects, endpoints, subscriptions, events, writer, queue);
  }
}

const cmd = (over: Partial<IngestEventCommand> = {}): IngestEventCommand => ({
  projectId: 'p1',
  target: { kind: 'endpoint', endpointId: 'ep1' },
  eventType: 'invoice.paid',
  payload: '{"amount":42}',
  ...over,
});

describe('IngestEvent', () => {
  it('writes the event with one delivery per matching subscription, then wakes them', async () => {
    const w = new World();
    w.subs = [sub('s1'), sub('s2', { filterConfig: { event_types: ['other'], filter: { body: {}, headers: {} } } })];
    const r = await w.ingest().execute(cmd({ customHeaders: { 'X-Tenant': 'acme' }, idempotencyKey: 'k1' }));
    expect(r.duplicate).toBe(false);
    expect(r.event).toMatchObject({ status: 'Processing', raw: '{"amount":42}', headers: { 'x-tenant': 'acme' }, idempotencyKey: 'k1' });
    expect(w.written).toHaveLength(1);
    expect(w.written[0].deliveries.map((d) => d.subscriptionId)).toEqual(['s1']);
    expect(w.woken.map((x) => x.id)).toEqual([w.written[0].deliveries[0].id]);
  });

  it('gives an endpoint without a subscription a catch-all one and delivers, as Convoy does', async () => {
    const w = new World();
    w.subs = [];
    const r = await w.ingest().execute(cmd());
    expect(w.created).toEqual(['ep1']);
    expect(r.event.status).toBe('Processing');
    expect(w.written[0].deliveries.map((d) => d.subscriptionId)).toEqual(['catch-all-ep1']);
  });

  it('adds no catch-all when the endpoint has a subscription, even one that does not match', async () => {
    const w = new World();
    w.subs = [sub('other', { filterConfig: { event_types: ['other'], filter: { body: {}, headers: {} } } })];
    const r = await w.ingest().execute(cmd());
    expect(w.created).toEqual([]);
    expect(r.event.status).toBe('Failure');
  });

  it('stores an event that matched nothing as Failure, with the reason', async () => {
    const w = new World();
    w.subs = [];
    const r = await w.ingest().execute(cmd({ target: { kind: 'broadcast' } }));
    expect(r.event).toMatchObject({ status: 'Failure', failureReason: 'no subscription matched the event' });
    expect(w.woken).toEqual([]);
  });

  it('returns the original event for a repeated idempotency key and wakes nothing', async () => {
    const w = new World();
    w.existing = { id: 'orig' } as EventEntity;
    const r = await w.ingest().execute(cmd({ idempotencyKey: 'k1' }));
    expect(r).toEqual({ duplicate: true, event: w.existing });
    expect(w.woken).toEqual([]);
  });

  it.each([
    ['invalid UTF-8 bytes', { payload: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]) }, 'invalid_utf8'],
    ['malformed JSON', { payload: Buffer.from('{"a":') }, 'invalid_json'],
    ['a payload that is not an object', { payload: '[1,2]' }, 'invalid_data'],
    ['nesting deeper than 64', { payload: `${'['.repeat(70)}${']'.repeat(70)}`.replace(/^\[/, '{"a":[') + '}' }, 'too_deep'],
    ['U+0000 in a string', { payload: '{"a":"x\\u0000y"}' }, 'nul_character'],
    ['a payload over the project limit', { payload: JSON.stringify({ a: 'x'.repeat(2000) }) }, 'payload_too_large'],
    ['a custom header with CR LF', { customHeaders: { 'X-A': 'a\r\nb' } }, 'invalid_custom_headers'],
    ['a custom header the gateway owns', { customHeaders: { 'X-Convoy-Signature': 'forged' } }, 'invalid_custom_headers'],
    ['an event type with spaces', { eventType: 'invoice paid' }, 'invalid_event_type'],
    ['an idempotency key with NUL', { idempotencyKey: 'a\u0000b' }, 'invalid_idempotency_key'],
  ])('refuses %s before writing anything', async (_what, over, code) => {
    const w = new World();
    await expect(w.ingest().execute(cmd(over as Partial<IngestEventCommand>))).rejects.toMatchObject({ code });
    expect(w.written).toEqual([]);
  });

  it('refuses an endpoint of another project as not found', async () => {
    const w = new World();
    await expect(w.ingest().execute(cmd({ target: { kind: 'endpoint', endpointId: 'other' } }))).rejects.toMatchObject({ code: 'endpoint_not_found' });
    await expect(w.ingest().execute(cmd({ target: { kind: 'owner', ownerId: 'nobody' } }))).rejects.toMatchObject({ code: 'no_endpoints_for_owner' });
  });

  it("routes bytes from a source to that source's subscriptions, matching request headers in filters", async () => {
    const w = new World();
    w.subs = [
      sub('api'),
      sub('github', { sourceId: 'src1', filterConfig: { event_types: ['*'], filter: { body: {}, headers: { 'x-github-event': 'push' } } } }),
      sub('github-other', { sourceId: 'src1', filterConfig: { event_types: ['*'], filter: { body: {}, headers: { 'x-github-event': 'issues' } } } }),
    ];
    const r = await w.ingest().execute(
      cmd({
        target: { kind: 'source', sourceId: 'src1' },
        payload: Buffer.from('{"ref":"main"}'),
        requestHeaders: { 'X-GitHub-Event': 'push' },
        brokerMessageId: 'm-1',
      }),
    );
    expect(w.written[0].deliveries.map((d) => d.subscriptionId)).toEqual(['github']);
    expect(r.event).toMatchObject({ sourceId: 'src1', brokerMessageId: 'm-1', headers: {}, raw: '{"ref":"main"}' });
  });

  it('matches query and path filters against the request that carried the event, and keeps the query for replays', async () => {
    const w = new World();
    const scoped = (query: Record<string, unknown>, path: Record<string, unknown>) => ({ event_types: ['*'], filter: { body: {}, headers: {}, query, path } });
    w.subs = [
      sub('pro', { sourceId: 'src1', filterConfig: scoped({ plan: 'pro' }, {}) }),
      sub('hooks', { sourceId: 'src1', filterConfig: scoped({}, { path: '/ingest/abc/hooks' }) }),
      sub('free', { sourceId: 'src1', filterConfig: scoped({ plan: 'free' }, {}) }),
    ];
    await w
      .ingest()
      .execute(cmd({ target: { kind: 'source', sourceId: 'src1' }, requestQuery: { plan: 'pro', tag: ['a', 'b'] }, requestPath: '/ingest/abc/hooks' }));
    expect(w.written[0].deliveries.map((d) => d.subscriptionId)).toEqual(['pro', 'hooks']);
    expect(w.written[0].urlQueryParams).toBe('plan=pro&tag=a&tag=b');
    // an event from the API carries no query or path: only the unfiltered subscriptions take it
    const api = new World();
    api.subs = [sub('plain'), sub('pro', { filterConfig: scoped({ plan: 'pro' }, {}) })];
    await api.ingest().execute(cmd());
    expect(api.written[0].deliveries.map((d) => d.subscriptionId)).toEqual(['plain']);
    expect(api.written[0].urlQueryParams).toBe('');
  });
});
