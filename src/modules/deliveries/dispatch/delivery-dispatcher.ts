import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../../libs/config';
import { HealthMetrics } from '../../../../libs/observability/metrics';
import { formatTraceparent, inSpan } from '../../../../libs/observability/tracing';
import { deliveryLeaseMs } from '../../../common/delivery-lease';
import { classifyAttempt } from '../../../common/retry-policy';
import type { DeferralHints, DeliveryJob } from '../../delivery-queue';
import { DeliveryQueue } from '../../delivery-queue';
import { EndpointDisabler, EndpointGate } from '../../endpoint-health';
import type { DeferReason, Pass } from '../../endpoint-health';
import { EndpointsService, TokenRequestError } from '../../endpoints';
import { FunctionFailure, FunctionSandbox } from '../../functions';
import type { EndpointEntity } from '../../endpoints';
import { ProjectsService } from '../../projects';
import type { ProjectEntity } from '../../projects';
import { ClaimedDelivery, DeliveryStateRepository } from '../delivery-state.repository';
import { WebhookClient } from '../../webhook-http';
import type { SendOutcome, SendRequest } from '../../webhook-http';
import { buildDeliveryHeaders } from '../signing/delivery-headers';
import { attemptRecord } from './attempt-record';
import { autoDisableDecision } from './auto-disable.rule';
import { DeliveryRecorder } from './delivery-recorder';
import { ended, nextState } from './next-state';
import { ProjectSlots } from './project-slots';

/**
 * Puts the running job back in its queue, delayed, carrying the hints; the delivery row is
 * not touched (it stays due, and the sweeper sees a live delayed job). Never returns.
 */
export type DelayJob = (delayMs: number, hints: DeferralHints) => Promise<never>;

/** Which consumer runs the job: first attempts and retries have slots (and fair shares) of their own. */
export type Lane = 'first' | 'retry';

/** The retries consumer runs half the worker's concurrency, so retries never starve first attempts. */
export function retriesConcurrency(workerConcurrency: number): number {
  return Math.max(1, Math.ceil(workerConcurrency / 2));
}

/**
 * Deferrals up to this long (a full concurrency cap, a breaker probe slot) wait as delayed
 * jobs in Redis with no PostgreSQL write: at a busy endpoint they happen many times a
 * second, and a write each made them the pipeline's main cost. Longer ones are recorded in
 * PostgreSQL, where long delays belong.
 */
const SHORT_DEFERRAL_MS = 5_000;
/** Longer than the endpoint cache, so a re-activated endpoint is seen as active next time. */
const STALE_STATUS_RETRY_MS = 2_500;
/** A delivery whose function found every sandbox thread busy is tried again this much later. */
const FUNCTION_BUSY_RETRY_MS = 1_000;
/** A delivery refused for its project's share of the worker waits this long, doubling per refusal in a row, up to the ceiling. */
const SHARE_BACKOFF_MS = 25;
const SHARE_BACKOFF_CEILING_MS = 2_000;

type DispatchDeferReason = DeferReason | 'project_share';

/** What a subscription's function made of the payload: the body to send, a failed attempt, or no thread free. */
type Transformed = { kind: 'body'; body: string } | { kind: 'failed'; outcome: SendOutcome } | { kind: 'busy' };

/**
 * Sends one delivery: ask the endpoint's gate (breaker, concurrency, rate) before
 * claiming, claim with a lease, sign and send, then hand the outcome to the recorder. No
 * claim, no send; a gate refusal defers without claiming. The rules it applies are pure
 * functions beside it: classifyAttempt (what an outcome means), nextState (what follows),
 * autoDisableDecision (when the endpoint is disabled).
 */
@Injectable()
export class DeliveryDispatcher {
  private readonly logger = new Logger(DeliveryDispatcher.name);
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  /** each consumer's slots, shared fairly between projects (see the two processors for the sizes) */
  private readonly projectSlots: Record<Lane, ProjectSlots>;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly state: DeliveryStateRepository,
    private readonly queue: DeliveryQueue,
    private readonly endpoints: EndpointsService,
    private readonly projects: ProjectsService,
    private readonly gate: EndpointGate,
    private readonly disabler: EndpointDisabler,
    private readonly client: WebhookClient,
    private readonly recorder: DeliveryRecorder,
    private readonly metrics: HealthMetrics,
    private readonly functions: FunctionSandbox,
  ) {
    this.projectSlots = {
      first: new ProjectSlots(config.workerConcurrency, config.workerProjectShare),
      retry: new ProjectSlots(retriesConcurrency(config.workerConcurrency), config.workerProjectShare),
    };
  }

  async deliver(job: DeliveryJob, delayJob?: DelayJob, lane: Lane = 'first'): Promise<void> {
    const slots = this.projectSlots[lane];
    let endpoint = await this.endpoints.getForDelivery(job.endpointId);
    // a paused/inactive verdict from the cache may be seconds old (the endpoint was just
    // resumed): confirm it before holding or discarding; this is the rare path
    if (endpoint && endpoint.status !== 'active') endpoint = await this.endpoints.getForDelivery(job.endpointId, { fresh: true });
    const projectId = endpoint?.projectId;
    if (projectId && !slots.tryAcquire(projectId)) {
      this.metrics.deferred('project_share');
      const delay = Math.min(SHARE_BACKOFF_MS * 2 ** Math.min(job.deferrals ?? 0, 16), SHARE_BACKOFF_CEILING_MS);
      await this.defer(job, 'project_share', delay + Math.random() * delay, job.rateToken, delayJob);
      return;
    }
    let pass: Pass | undefined;
    try {
      if (endpoint && !endpoint.deletedAt && endpoint.status === 'active') {
        const project = await this.projects.getCached(endpoint.projectId).catch(() => undefined);
        const live = endpoint;
        if (project) {
          const g = await inSpan('caravan.gate', {}, async (span) => {
            const r = await this.gate.admit(live, project, { rateToken: job.rateToken, rateBooked: job.rateBooked, deferrals: job.deferrals });
            span?.setAttribute('caravan.gate.decision', r.kind === 'defer' ? r.reason : 'pass');
            return r;
          });
          if (g.kind === 'defer') {
            // a reservation made earlier stays with the delivery through other deferrals (a full cap, a probe)
            await this.defer(job, g.reason, g.delayMs, g.rateToken ?? job.rateToken, delayJob);
            return;
          }
          pass = g.pass;
        }
      }
      await this.claimAndSend(job, endpoint, pass);
    } finally {
      if (pass) await this.gate.release(pass);
      if (projectId) slots.release(projectId);
    }
  }

  private async claimAndSend(job: DeliveryJob, endpoint: EndpointEntity | null, pass: Pass | undefined): Promise<void> {
    const d = await inSpan('caravan.claim', {}, async (span) => {
      const c = await this.state.claim(job.deliveryId, job.generation, this.owner, deliveryLeaseMs(endpoint?.httpTimeout, this.config.leaseGraceMs));
      span?.setAttributes({ 'caravan.claimed': c !== null, 'caravan.attempt': (c?.attempts ?? 0) + 1 });
      return c;
    });
    if (!d) return;
    if (!endpoint || endpoint.deletedAt) return this.recorder.finish(d, this.owner, null, ended('Discarded', 'endpoint deleted'));
    if (endpoint.status === 'inactive') return this.whileInactive(d, endpoint);
    if (endpoint.status === 'paused') return this.state.hold(d, this.owner, 'held: endpoint paused');
    let project: ProjectEntity;
    try {
      project = await this.projects.getCached(d.project_id);
    } catch {
      return this.recorder.finish(d, this.owner, null, ended('Discarded', 'project deleted'));
    }
    await this.send(d, endpoint, project, pass);
  }

  private async send(d: ClaimedDelivery, endpoint: EndpointEntity, project: ProjectEntity, pass: Pass | undefined): Promise<void> {
    let body = d.raw;
    if (d.function) {
      const transformed = await this.transform(d, d.function);
      if (transformed.kind === 'busy') return this.requeue(d, FUNCTION_BUSY_RETRY_MS, 'deferred: function sandbox busy');
      if (transformed.kind === 'failed') return this.conclude(d, endpoint, project, pass, {}, [], transformed.outcome, transformed.outcome.requestedAt);
      body = transformed.body;
    }
    if (pass) {
      const wait = await this.gate.beforeSend(pass);
      if (wait > 0) return this.requeue(d, wait, 'deferred: rate limit');
    }
    const now = new Date();
    const authHeaders = this.endpoints.authenticationHeaders(endpoint);
    let headers: Record<string, string>;
    try {
      headers = buildDeliveryHeaders({
        project,
        endpoint,
        secrets: this.endpoints.signingSecrets(endpoint, now),
        authHeaders,
        deliveryId: d.id,
        eventId: d.event_id,
        eventType: d.event_type,
        customHeaders: d.headers,
        payload: body,
        now,
      });
    } catch (e) {
      // e.g. every secret expired: retrying cannot help until the endpoint is fixed
      return this.recorder.finish(d, this.owner, null, ended('Failure', `signing failed: ${(e as Error).message}`));
    }
    const request: SendRequest = {
      url: endpoint.url,
      headers,
      body,
      timeoutMs: endpoint.httpTimeout * 1000,
      clientCertificate: this.endpoints.clientCertificate(endpoint),
    };
    const credentialNames = Object.keys(authHeaders);
    const outcome = await inSpan('caravan.send', {}, async (span) => {
      span?.setAttribute('server.address', hostOf(endpoint.url));
      // the receiver's spans continue this one, for projects that asked (tracing on)
      if (span && project.config.add_traceparent_header) request.headers.traceparent = formatTraceparent(span.spanContext());
      const o = pass
        ? await this.gate.run(
            pass,
            () => this.sendAuthenticated(endpoint, request, credentialNames),
            (x) => classifyAttempt(x).blamesEndpoint && !x.ok,
          )
        : await this.sendAuthenticated(endpoint, request, credentialNames);
      span?.setAttributes({ 'http.response.status_code': o.status ?? 0, 'caravan.outcome': o.ok ? 'ok' : (o.errorClass ?? 'http_error') });
      return o;
    });
    await this.conclude(d, endpoint, project, pass, request.headers, credentialNames, outcome, now);
  }

  /** Records what one attempt came to, settles the gate and applies the auto-disable rule. */
  private async conclude(
    d: ClaimedDelivery,
    endpoint: EndpointEntity,
    project: ProjectEntity,
    pass: Pass | undefined,
    headers: Record<string, string>,
    credentialHeaders: string[],
    outcome: SendOutcome,
    now: Date,
  ): Promise<void> {
    const verdict = classifyAttempt(outcome);
    let streak: number | undefined;
    if (pass && !verdict.success && !verdict.blamesEndpoint) await this.gate.release(pass);
    else if (pass) streak = await this.gate.settle(pass, verdict.success);
    const next = nextState(d, outcome, verdict, project.config.strategy, now);
    await inSpan('caravan.record', { attributes: { 'caravan.status': next.status } }, () =>
      this.recorder.finish(d, this.owner, attemptRecord(endpoint.url, headers, credentialHeaders, outcome), next),
    );
    this.metrics.delivered(verdict.success ? 'success' : next.status === 'Retry' ? 'retry' : 'failure');
    const disable = autoDisableDecision(verdict, streak, project.config);
    if (disable) {
      await this.disabler.disable(project.id, endpoint.id, disable.cause, disable.detail).catch((e: unknown) => {
        this.logger.warn({ endpointId: endpoint.id, err: (e as Error).message }, 'could not disable a failing endpoint');
      });
    }
  }

  /**
   * The subscription's function applied to the payload, as Convoy does before sending: the
   * body to sign and send, or the failed attempt it makes (the function threw, ran too long,
   * used too much memory). Such an attempt is retried like any failure but never counts
   * against the endpoint, which was not called. When every sandbox thread stays busy the
   * delivery waits instead, without spending an attempt, well within its lease.
   */
  private async transform(d: ClaimedDelivery, source: string): Promise<Transformed> {
    const requestedAt = new Date();
    try {
      return { kind: 'body', body: (await this.functions.run(source, d.raw, d.project_id, this.config.leaseGraceMs / 2)).output };
    } catch (e) {
      if (!(e instanceof FunctionFailure)) throw e;
      if (e.kind === 'busy') return { kind: 'busy' };
      const respondedAt = new Date();
      const outcome: SendOutcome = {
        ok: false,
        headers: {},
        body: '',
        durationMs: respondedAt.getTime() - requestedAt.getTime(),
        errorClass: `function_${e.kind}`,
        error: `transform function: ${e.message}`,
        requestedAt,
        respondedAt,
        ipAddress: '',
      };
      return { kind: 'failed', outcome };
    }
  }

  /**
   * Sends with the endpoint's credentials; with OAuth2, a token first (cached per process)
   * and, when the endpoint answers 401, once more with a new token. Token request and
   * sends share the endpoint's timeout, which the lease is sized for. A token request that
   * fails is the attempt's failure, with its reason. `request.headers` and
   * `credentialNames` end up as sent, for the attempt record.
   */
  private async sendAuthenticated(endpoint: EndpointEntity, request: SendRequest, credentialNames: string[]): Promise<SendOutcome> {
    const deadline = Date.now() + request.timeoutMs;
    const remaining = (): number => Math.max(1, deadline - Date.now());
    const requestedAt = new Date();
    const withCredentials = (h: Record<string, string>): void => {
      for (const [k, v] of Object.entries(h)) {
        request.headers[k.toLowerCase()] = v;
        if (!credentialNames.includes(k)) credentialNames.push(k);
      }
    };
    try {
      const credentials = await this.endpoints.sendCredentials(endpoint, remaining());
      withCredentials(credentials.headers);
      const first = await this.client.send({ ...request, timeoutMs: remaining() });
      if (first.status !== 401 || !credentials.renew) return first;
      withCredentials(await credentials.renew(remaining()));
      return await this.client.send({ ...request, timeoutMs: remaining() });
    } catch (e) {
      if (!(e instanceof TokenRequestError)) throw e;
      const durationMs = Date.now() - requestedAt.getTime();
      return { ok: false, headers: {}, body: '', durationMs, errorClass: e.errorClass, error: e.message, requestedAt, ipAddress: '' };
    }
  }

  /**
   * A user-disabled endpoint discards (Convoy's rule); one the gateway disabled holds until
   * activated. The cached status may be stale after an activation, so it is read afresh.
   */
  private async whileInactive(d: ClaimedDelivery, cached: EndpointEntity): Promise<void> {
    const fresh = await this.endpoints.getLive(d.project_id, cached.id).catch(() => null);
    if (!fresh) return this.recorder.finish(d, this.owner, null, ended('Discarded', 'endpoint deleted'));
    if (fresh.status !== 'inactive') return this.requeue(d, STALE_STATUS_RETRY_MS, '');
    if (await this.disabler.holdsDeliveries(cached.id)) return this.state.hold(d, this.owner, 'held: endpoint disabled after failing; activate it to resume');
    return this.recorder.finish(d, this.owner, null, ended('Discarded', 'endpoint is inactive'));
  }

  /** Gives the claimed delivery back, due again after `delayMs`, without an attempt. */
  private async requeue(d: ClaimedDelivery, delayMs: number, reason: string): Promise<void> {
    const w = await this.state.requeue(d, this.owner, delayMs, reason);
    if (w) await this.queue.enqueueDeferred([w], delayMs);
  }

  /** The gate said not now: move the delivery later without spending an attempt. */
  private async defer(job: DeliveryJob, reason: DispatchDeferReason, delayMs: number, rateToken: string | undefined, delayJob?: DelayJob): Promise<void> {
    const deferrals = reason === 'concurrency' || reason === 'circuit_probe' || reason === 'project_share' ? (job.deferrals ?? 0) + 1 : 0;
    if (delayJob && delayMs <= SHORT_DEFERRAL_MS) await delayJob(delayMs, { deferrals, rateToken });
    const w = await this.state.defer(job.deliveryId, job.generation, delayMs, `deferred: ${reason.replace('_', ' ')}`);
    if (w) await this.queue.enqueueDeferred([w], delayMs, { deferrals, rateToken });
  }
}

/** An endpoint's host for a span (never its path or query, which may carry credentials). */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
