import type { CaravanConfig } from '../../../../libs/config';
import { testConfig } from '../../../../libs/testing/test-config';
import { verifyConvoySignature } from '../../../../libs/webhooks';
import { FunctionFailure, FunctionSandbox } from '../../functions';
import type { DeliveryQueue, Wakeable } from '../../delivery-queue';
import type { EndpointDisabler, EndpointGate, GateDecision, Pass } from '../../endpoint-health';
import type { EndpointEntity, EndpointsService } from '../../endpoints';
import type { ProjectEntity, ProjectsService } from '../../projects';
import { defaultProjectConfig } from '../../projects/project-config';
import type { SendOutcome, SendRequest, WebhookClient } from '../../webhook-http';
import type { AttemptRecord, ClaimedDelivery, DeliveryStateRepository } from '../delivery-state.repository';
import { DeliveryDispatcher } from './delivery-dispatcher';
import type { DeliveryRecorder } from './delivery-recorder';
import type { Transition } from './next-state';
import type { HealthMetrics } from '../../../../libs/observability/metrics';

/**
 * The dispatcher's decisions with every collaborator faked: what it claims, sends, records,
 * defers and holds. The real statements are covered by the integration suites.
 */
const config = { leaseGraceMs: 1000, workerConcurrency: 2, workerProjectShare: 0.5 } as CaravanConfig;
const project = { id: 'p1', config: { ...defaultProjectConfig(new Date(0), 'v1'), disable_endpoint: true } } as ProjectEntity;

function endpoint(over: Partial<EndpointEntity> = {}): EndpointEntity {
  return { id: 'ep1', projectId: 'p1', url: 'http://127.0.0.1:9/hook', status: 'active', deletedAt: null, httpTimeout: 10, ...over } as EndpointEntity;
}

function claimed(over: Partial<ClaimedDelivery> = {}): ClaimedDelivery {
  return {
    id: 'd1',
    project_id: 'p1',
    event_id: 'ev1',
    endpoint_id: 'ep1',
    subscription_id: 's1',
    event_type: 'invoice.paid',
    delivery_mode: 'at_least_once',
    headers: {},
    attempts: 0,
    retry_limit: 3,
    generation: 0,
    sole: true,
    counted: false,
    route_seq: 0,
    created_at: new Date(),
    raw: '{"a":1}',
    event_headers: {},
    function: null,
    ...over,
  };
}

function outcome(over: Partial<SendOutcome> = {}): SendOutcome {
  return { ok: true, status: 200, headers: {}, body: 'ok', durationMs: 1, errorClass: '', error: '', requestedAt: new Date(), ipAddress: '', ...over };
}

class Fakes {
  ep: EndpointEntity | null = endpoint();
  row: ClaimedDelivery | undefined = claimed();
  gateDecision: GateDecision = { kind: 'go', pass: { endpointId: 'ep1', token: 't', slot: true, probe: false, cfg: {} } as Pass };
  result: SendOutcome = outcome();
  holdsForDisabled = false;
  streak = 0;
  sent: SendRequest[] = [];
  finished: { attempt: AttemptRecord | null; t: Transition }[] = [];
  held: string[] = [];
  deferred: { id: string; delayMs: number }[] = [];
  enqueuedDeferred: Wakeable[] = [];
  disabled: string[] = [];
  released = 0;
  settled: boolean[] = [];
  /** what the rate window says right before the send */
  rateWait = 0;
  claimedLeaseMs = 0;
  requeued: string[] = [];
  functions: FunctionSandbox = sandbox;

  dispatcher(): DeliveryDispatcher {
    const endpoints = {
      getForDelivery: () => Promise.resolve(this.ep),
      getLive: () => (this.ep ? Promise.resolve(this.ep) : Promise.reject(new Error('gone'))),
      authenticationHeaders: () => ({ authorization: 'Bearer secret' }),
      sendCredentials: () => Promise.resolve({ headers: { authorization: 'Bearer secret' } }),
      clientCertificate: () => undefined,
      signingSecrets: () => ['whsec'],
    } as unknown as EndpointsService;
    const projects = { getCached: () => Promise.resolve(project) } as unknown as ProjectsService;
    const state = {
      claim: (_id: string, _gen: number, _owner: string, leaseMs: number) => {
        this.claimedLeaseMs = leaseMs;
        return Promise.resolve(this.row);
      },
      hold: (_d: ClaimedDelivery, _o: string, reason: string) => {
        this.held.push(reason);
        return Promise.resolve();
      },
      defer: (id: string, generation: number, delayMs: number) => {
        this.deferred.push({ id, delayMs });
        return Promise.resolve({ id, generation: generation + 1, endpoint_id: 'ep1', attempts: 0 });
      },
      requeue: (_d: ClaimedDelivery, _o: string, _delay: number, reason: string) => {
        this.requeued.push(reason);
        return Promise.resolve(undefined);
      },
    } as unknown as DeliveryStateRepository;
    const queue = {
      enqueueDeferred: (w: Wakeable[]) => {
        this.enqueuedDeferred.push(...w);
        return Promise.resolve();
      },
    } as unknown as DeliveryQueue;
    const gate = {
      admit: () => Promise.resolve(this.gateDecision),
      beforeSend: () => Promise.resolve(this.rateWait),
      run: <T>(_p: Pass, send: () => Promise<T>) => send(),
      release: () => {
        this.released++;
        return Promise.resolve();
      },
      settle: (_p: Pass, ok: boolean) => {
        this.settled.push(ok);
        return Promise.resolve(ok ? 0 : ++this.streak);
      },
    } as unknown as EndpointGate;
    const disabler = {
      disable: (_p: string, id: string, cause: string) => {
        this.disabled.push(`${id}:${cause}`);
        return Promise.resolve();
      },
      holdsDeliveries: () => Promise.resolve(this.holdsForDisabled),
    } as unknown as EndpointDisabler;
    const client = {
      send: (req: SendRequest) => {
        this.sent.push(req);
        return Promise.resolve(this.result);
      },
    } as unknown as WebhookClient;
    const recorder = {
      finish: (_d: ClaimedDelivery, _o: string, attempt: AttemptRecord | null, t: Transition) => {
        this.finished.push({ attempt, t });
        return Promise.resolve();
      },
    } as unknown as DeliveryRecorder;
    const metrics = { delivered: () => undefined, deferred: () => undefined } as unknown as HealthMetrics;
    return new DeliveryDispatcher(config, state, queue, endpoints, projects, gate, disabler, client, recorder, metrics, this.functions);
  }
}

const job = { deliveryId: 'd1', generation: 0, endpointId: 'ep1' };

// the real sandbox: it is the thing under test when a subscription carries a function
const sandbox = new FunctionSandbox(testConfig({ functionThreads: 1 }));
// the thread's first start (loading the WASM engine) can take longer than a run's budget on a
// busy machine; the dispatcher's budget is for the function, so the thread starts here
beforeAll(() => sandbox.run('function transform(p) { return p }', '{}', 'warm-up', 60_000));
afterAll(() => sandbox.onModuleDestroy());

describe('DeliveryDispatcher', () => {
  it('claims for the endpoint timeout plus the grace, sends signed, and records Success', async () => {
    const f = new Fakes();
    await f.dispatcher().deliver(job);
    expect(f.claimedLeaseMs).toBe(11_000);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0].body).toBe('{"a":1}');
    expect(f.sent[0].headers['x-caravan-delivery-id']).toBe('d1');
    expect(f.finished.map((x) => x.t.status)).toEqual(['Success']);
    expect(f.finished[0].attempt?.requestHeaders.authorization).toBe('[redacted]');
    expect(f.settled).toEqual([true]);
  });

  it('records a retry of a 500 on the schedule and counts it against the endpoint', async () => {
    const f = new Fakes();
    f.result = outcome({ ok: false, status: 500, errorClass: 'http_5xx', error: 'HTTP 500' });
    await f.dispatcher().deliver(job);
    const [{ t }] = f.finished;
    expect(t.status).toBe('Retry');
    expect(t.bumpGeneration).toBe(true);
    expect(t.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    expect(f.settled).toEqual([false]);
  });

  it('disables the endpoint on 410 Gone and keeps the delivery for its reactivation', async () => {
    const f = new Fakes();
    f.result = outcome({ ok: false, status: 410, errorClass: 'http_4xx', error: 'HTTP 410' });
    await f.dispatcher().deliver(job);
    expect(f.disabled).toEqual(['ep1:gone']);
    expect(f.finished[0].t.status).toBe('Retry');
  });

  it('disables after the failure streak reaches the threshold, only when the project opted in', async () => {
    const f = new Fakes();
    f.result = outcome({ ok: false, status: 500, errorClass: 'http_5xx', error: 'HTTP 500' });
    f.streak = project.config.circuit_breaker.consecutive_failure_threshold - 1;
    await f.dispatcher().deliver(job);
    expect(f.disabled).toEqual(['ep1:failures']);
  });

  it("neither blames the endpoint nor disables it when Caravan's egress proxy is down", async () => {
    const f = new Fakes();
    f.result = outcome({ ok: false, status: undefined, errorClass: 'proxy_unavailable', error: 'proxy down' });
    f.streak = 1000;
    await f.dispatcher().deliver(job);
    expect(f.settled).toEqual([]);
    expect(f.released).toBeGreaterThanOrEqual(1);
    expect(f.disabled).toEqual([]);
    expect(f.finished[0].t.status).toBe('Retry');
  });

  it('fails at once what the SSRF policy denies', async () => {
    const f = new Fakes();
    f.result = outcome({ ok: false, status: undefined, errorClass: 'egress_denied:private', error: 'denied' });
    await f.dispatcher().deliver(job);
    expect(f.finished[0].t).toMatchObject({ status: 'Failure', description: expect.stringContaining('not retryable') });
  });

  it('defers without claiming when the gate says not now', async () => {
    const f = new Fakes();
    f.gateDecision = { kind: 'defer', reason: 'rate_limit', delayMs: 60_000, rateToken: 'tok' };
    await f.dispatcher().deliver(job);
    expect(f.claimedLeaseMs).toBe(0);
    expect(f.sent).toHaveLength(0);
    expect(f.deferred).toEqual([{ id: 'd1', delayMs: 60_000 }]);
    expect(f.enqueuedDeferred.map((w) => w.generation)).toEqual([1]);
  });

  it('gives a claimed delivery back unsent when the rate window holds it longer than the gate waits', async () => {
    const f = new Fakes();
    f.rateWait = 4_000;
    await f.dispatcher().deliver(job);
    expect(f.sent).toHaveLength(0);
    expect(f.requeued).toEqual(['deferred: rate limit']);
    expect(f.finished).toHaveLength(0);
  });

  it('holds for a paused endpoint and sends nothing', async () => {
    const f = new Fakes();
    f.ep = endpoint({ status: 'paused' });
    await f.dispatcher().deliver(job);
    expect(f.held).toEqual(['held: endpoint paused']);
    expect(f.sent).toHaveLength(0);
  });

  it('holds for an endpoint the gateway disabled, discards for one a user disabled', async () => {
    const gw = new Fakes();
    gw.ep = endpoint({ status: 'inactive' });
    gw.holdsForDisabled = true;
    await gw.dispatcher().deliver(job);
    expect(gw.held).toHaveLength(1);

    const user = new Fakes();
    user.ep = endpoint({ status: 'inactive' });
    await user.dispatcher().deliver(job);
    expect(user.finished.map((x) => x.t.status)).toEqual(['Discarded']);
  });

  it('discards the delivery of a deleted endpoint without an attempt', async () => {
    const f = new Fakes();
    f.ep = null;
    await f.dispatcher().deliver(job);
    expect(f.finished).toEqual([{ attempt: null, t: expect.objectContaining({ status: 'Discarded', description: 'endpoint deleted' }) }]);
    expect(f.claimedLeaseMs).toBe(61_000);
  });

  it("defers a project's delivery past its share of the worker's slots, without claiming it", async () => {
    const f = new Fakes();
    let release: () => void = () => undefined;
    const slow = new Promise<SendOutcome>((r) => (release = () => r(outcome())));
    const d = f.dispatcher();
    const sendNow = f.result;
    // two first-attempt slots at share 0.5: the project may hold one
    (f as unknown as { result: Promise<SendOutcome> }).result = slow;
    const first = d.deliver(job);
    await new Promise((r) => setImmediate(r));
    f.result = sendNow;
    await d.deliver({ ...job, deliveryId: 'd2' });
    expect(f.deferred).toEqual([{ id: 'd2', delayMs: expect.any(Number) }]);
    expect(f.sent).toHaveLength(1);
    release();
    await first;
    await d.deliver({ ...job, deliveryId: 'd3' });
    expect(f.sent).toHaveLength(2);
  });

  it("sends the subscription function's result, signed as sent", async () => {
    const f = new Fakes();
    f.row = claimed({ raw: '{"amount":21,"card":"4242"}', function: 'function transform(p) { delete p.card; p.amount *= 2; return p }' });
    await f.dispatcher().deliver(job);
    expect(f.sent).toHaveLength(1);
    expect(f.sent[0].body).toBe('{"amount":42}');
    const signature = f.sent[0].headers['x-convoy-signature'];
    const check = { header: signature, secret: 'whsec', hash: 'SHA256', encoding: 'hex', advanced: false } as const;
    expect(verifyConvoySignature({ ...check, payload: f.sent[0].body })).toBe(true);
    expect(verifyConvoySignature({ ...check, payload: '{"amount":21,"card":"4242"}' })).toBe(false);
    expect(f.finished.map((x) => x.t.status)).toEqual(['Success']);
  });

  it('makes a failing function a failed attempt, retried, that sends nothing and does not blame the endpoint', async () => {
    const f = new Fakes();
    f.streak = 1000;
    f.row = claimed({ function: `function transform(p) { throw new Error('no amount') }` });
    await f.dispatcher().deliver(job);
    expect(f.sent).toHaveLength(0);
    const [{ attempt, t }] = f.finished;
    expect(attempt).toMatchObject({ ok: false, httpStatus: '', errorClass: 'function_error', error: expect.stringContaining('Error: no amount') as unknown });
    expect(t.status).toBe('Retry');
    expect(f.settled).toEqual([]);
    expect(f.released).toBeGreaterThanOrEqual(1);
    expect(f.disabled).toEqual([]);

    const looping = new Fakes();
    looping.row = claimed({ function: 'function transform(p) { for (;;) {} }', attempts: 2 });
    await looping.dispatcher().deliver(job);
    expect(looping.finished[0].attempt?.errorClass).toBe('function_timeout');
    expect(looping.finished[0].t).toMatchObject({ status: 'Failure', description: expect.stringContaining('retry limit reached') as unknown });
  });

  it('gives the delivery back without an attempt when every sandbox thread stays busy', async () => {
    const f = new Fakes();
    f.functions = { run: () => Promise.reject(new FunctionFailure('busy', 'every function sandbox thread stayed busy')) } as unknown as FunctionSandbox;
    f.row = claimed({ function: 'function transform(p) { return p }' });
    await f.dispatcher().deliver(job);
    expect(f.requeued).toEqual(['deferred: function sandbox busy']);
    expect(f.finished).toEqual([]);
    expect(f.sent).toHaveLength(0);
  });

  it('sends nothing when another worker holds the claim', async () => {
    const f = new Fakes();
    f.row = undefined;
    await f.dispatcher().deliver(job);
    expect(f.sent).toHaveLength(0);
    expect(f.finished).toHaveLength(0);
    expect(f.released).toBe(1);
  });
});
