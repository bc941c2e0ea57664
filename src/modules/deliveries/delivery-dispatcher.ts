import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Dispatcher } from 'undici';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { newId } from '../../common/ids';
import { HealthMetrics } from '../../../libs/observability/metrics';
import { EndpointDisabler, EndpointGate } from '../endpoint-health';
import type { DeferReason, Pass } from '../endpoint-health';
import { EndpointsService } from '../endpoints';
import { MetaEventsService } from '../meta-events';
import type { EndpointEntity } from '../endpoints';
import { ProjectsService } from '../projects';
import type { ProjectEntity } from '../projects';
import { AttemptRecord, ClaimedDelivery, DeliveryStateRepository, Transition } from './delivery-state.repository';
import { DelayJob, DeliveryJob, DeliveryProducer } from './delivery.producer';
import { WEBHOOK_DISPATCHER } from './http/dispatcher.provider';
import { sendWebhook, SendOutcome } from './http/webhook-sender';
import { nextRetryDelayMs, retryAfterMs } from '../../common/retry-policy';
import { buildDeliveryHeaders } from './signing/delivery-headers';

/** Outcomes that will fail the same way again: retrying them only wastes attempts. */
function isPermanent(o: SendOutcome): boolean {
  return o.errorClass.startsWith('egress_denied') || o.errorClass === 'invalid_url';
}

/**
 * Failures of our own egress proxy say nothing about the endpoint: counting them would
 * trip every endpoint's breaker (and could auto-disable endpoints) during a proxy outage.
 */
function isEgressFailure(o: SendOutcome): boolean {
  return o.errorClass === 'proxy_unavailable' || o.errorClass === 'proxy_busy';
}

const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
/**
 * Deferrals up to this long (a full concurrency cap, a breaker probe slot) wait as delayed
 * jobs in Redis with no PostgreSQL write: at a busy endpoint they happen many times a
 * second, and a write each made them the pipeline's main cost. Longer ones are recorded in
 * PostgreSQL, where long delays belong.
 */
const SHORT_DEFERRAL_MS = 5_000;
/** Longer than the endpoint cache, so a re-activated endpoint is seen as active next time. */
const STALE_STATUS_RETRY_MS = 2_500;

/**
 * Sends one delivery: ask the endpoint's gate (breaker, concurrency, rate) before
 * claiming, claim with a lease, send, then record the attempt and the next state in one
 * transaction. No claim, no send; a gate refusal defers without claiming.
 */
@Injectable()
export class DeliveryDispatcher {
  private readonly logger = new Logger(DeliveryDispatcher.name);
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    @Inject(WEBHOOK_DISPATCHER) private readonly http: Dispatcher,
    private readonly state: DeliveryStateRepository,
    private readonly producer: DeliveryProducer,
    private readonly endpoints: EndpointsService,
    private readonly projects: ProjectsService,
    private readonly gate: EndpointGate,
    private readonly disabler: EndpointDisabler,
    private readonly metrics: HealthMetrics,
    private readonly metaEvents: MetaEventsService,
  ) {}

  async deliver(job: DeliveryJob, delayJob?: DelayJob): Promise<void> {
    let endpoint = await this.endpoints.getForDelivery(job.endpointId);
    // a paused/inactive verdict from the cache may be seconds old (the endpoint was just
    // resumed): confirm it before holding or discarding; this is the rare path
    if (endpoint && endpoint.status !== 'active') endpoint = await this.endpoints.getForDelivery(job.endpointId, { fresh: true });
    let pass: Pass | undefined;
    if (endpoint && !endpoint.deletedAt && endpoint.status === 'active') {
      const project = await this.projects.getCached(endpoint.projectId).catch(() => undefined);
      if (project) {
        const g = await this.gate.admit(endpoint, project, { rateBooked: job.rateBooked, deferrals: job.deferrals });
        if (g.kind === 'defer') {
          await this.defer(job, g.reason, g.delayMs, g.rateBooked, delayJob);
          return;
        }
        pass = g.pass;
      }
    }
    try {
      await this.claimAndSend(job, endpoint, pass);
    } finally {
      if (pass) await this.gate.release(pass);
    }
  }

  private async claimAndSend(job: DeliveryJob, endpoint: EndpointEntity | null, pass: Pass | undefined): Promise<void> {
    const leaseMs = (endpoint?.httpTimeout ?? 60) * 1000 + this.config.leaseGraceMs;
    const d = await this.state.claim(job.deliveryId, job.generation, this.owner, leaseMs);
    if (!d) return;

    if (!endpoint || endpoint.deletedAt) {
      await this.finish(d, null, { status: 'Discarded', nextAttemptAt: null, description: 'endpoint deleted', bumpGeneration: false });
      return;
    }
    if (endpoint.status === 'inactive') {
      await this.whileInactive(d, endpoint);
      return;
    }
    if (endpoint.status === 'paused') {
      await this.state.hold(d, this.owner, 'held: endpoint paused');
      return;
    }

    let project: ProjectEntity;
    try {
      project = await this.projects.getCached(d.project_id);
    } catch {
      await this.finish(d, null, { status: 'Discarded', nextAttemptAt: null, description: 'project deleted', bumpGeneration: false });
      return;
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
        payload: d.raw,
        now,
      });
    } catch (e) {
      // e.g. every secret expired: retrying cannot help until the endpoint is fixed
      await this.finish(d, null, { status: 'Failure', nextAttemptAt: null, description: `signing failed: ${(e as Error).message}`, bumpGeneration: false });
      return;
    }
    const send = (): Promise<SendOutcome> => sendWebhook(this.http, { url: endpoint.url, headers, body: d.raw, timeoutMs: endpoint.httpTimeout * 1000 });
    const outcome = pass ? await this.gate.run(pass, send, (o) => !o.ok && !isEgressFailure(o)) : await send();
    let streak: number | undefined;
    if (pass && isEgressFailure(outcome)) await this.gate.release(pass);
    else if (pass) streak = await this.gate.settle(pass, outcome.ok);
    const attempt: AttemptRecord = {
      id: newId(),
      url: endpoint.url,
      ipAddress: '',
      requestHeaders: redact(headers, Object.keys(authHeaders)),
      responseHeaders: outcome.headers,
      httpStatus: outcome.status !== undefined ? String(outcome.status) : '',
      responseData: outcome.body,
      error: outcome.error,
      errorClass: outcome.errorClass,
      ok: outcome.ok,
      durationMs: outcome.durationMs,
      requestedAt: outcome.requestedAt,
      respondedAt: outcome.respondedAt ?? null,
    };
    const next = this.nextState(d, project, outcome, now);
    await this.finish(d, attempt, next);
    this.metrics.delivered(outcome.ok ? 'success' : next.status === 'Retry' ? 'retry' : 'failure');
    await this.disableIfDead(project, endpoint, outcome, streak);
  }

  /**
   * A 410 Gone disables at once; a streak of failed attempts disables when the project
   * opted in (`disable_endpoint`) and the streak reaches `consecutive_failure_threshold`.
   */
  private async disableIfDead(project: ProjectEntity, endpoint: EndpointEntity, o: SendOutcome, streak: number | undefined): Promise<void> {
    try {
      if (o.status === 410) {
        await this.disabler.disable(project.id, endpoint.id, 'gone', 'endpoint answered 410 Gone');
      } else if (
        !o.ok &&
        project.config.disable_endpoint &&
        streak !== undefined &&
        streak >= Math.max(1, project.config.circuit_breaker.consecutive_failure_threshold)
      ) {
        await this.disabler.disable(project.id, endpoint.id, 'failures', `${streak} consecutive failed attempts`);
      }
    } catch (e) {
      this.logger.warn({ endpointId: endpoint.id, err: (e as Error).message }, 'could not disable a failing endpoint');
    }
  }

  /**
   * A user-disabled endpoint discards (Convoy's rule); one the gateway disabled holds until
   * activated. The cached status may be stale after an activation, so it is read afresh.
   */
  private async whileInactive(d: ClaimedDelivery, cached: EndpointEntity): Promise<void> {
    const fresh = await this.endpoints.getLive(d.project_id, cached.id).catch(() => null);
    if (!fresh) {
      await this.finish(d, null, { status: 'Discarded', nextAttemptAt: null, description: 'endpoint deleted', bumpGeneration: false });
    } else if (fresh.status !== 'inactive') {
      const w = await this.state.requeue(d, this.owner, STALE_STATUS_RETRY_MS, '');
      if (w) await this.producer.enqueueDeferred([w], STALE_STATUS_RETRY_MS);
    } else if (await this.disabler.holdsDeliveries(cached.id)) {
      await this.state.hold(d, this.owner, 'held: endpoint disabled after failing; activate it to resume');
    } else {
      await this.finish(d, null, { status: 'Discarded', nextAttemptAt: null, description: 'endpoint is inactive', bumpGeneration: false });
    }
  }

  /** The gate said not now: move the delivery later without spending an attempt. */
  private async defer(job: DeliveryJob, reason: DeferReason, delayMs: number, rateBooked: boolean, delayJob?: DelayJob): Promise<void> {
    const deferrals = reason === 'concurrency' || reason === 'circuit_probe' ? (job.deferrals ?? 0) + 1 : 0;
    if (delayJob && delayMs <= SHORT_DEFERRAL_MS) await delayJob(delayMs, { deferrals, rateBooked });
    const w = await this.state.defer(job.deliveryId, job.generation, delayMs, `deferred: ${reason.replace('_', ' ')}`);
    if (w) await this.producer.enqueueDeferred([w], delayMs, { deferrals, rateBooked });
  }

  private nextState(d: ClaimedDelivery, project: ProjectEntity, o: SendOutcome, now: Date): Transition {
    if (o.ok) return { status: 'Success', nextAttemptAt: null, description: '', bumpGeneration: false };
    const attemptsMade = d.attempts + 1;
    const reason = o.errorClass ? `${o.errorClass}: ${o.error}` : o.error;
    if (d.delivery_mode === 'at_most_once')
      return { status: 'Failure', nextAttemptAt: null, description: `${reason} (at_most_once: not retried)`, bumpGeneration: false };
    if (isPermanent(o)) return { status: 'Failure', nextAttemptAt: null, description: `${reason} (not retryable)`, bumpGeneration: false };
    if (attemptsMade >= d.retry_limit) return { status: 'Failure', nextAttemptAt: null, description: `${reason} (retry limit reached)`, bumpGeneration: false };
    let delay = nextRetryDelayMs(project.config.strategy, attemptsMade);
    const asked = retryAfterMs(o.retryAfter, now);
    if (asked !== undefined) delay = Math.min(Math.max(delay, asked), MAX_RETRY_AFTER_MS);
    return { status: 'Retry', nextAttemptAt: new Date(now.getTime() + delay), description: reason, bumpGeneration: true };
  }

  private async finish(d: ClaimedDelivery, attempt: AttemptRecord | null, t: Transition): Promise<void> {
    const generation = await this.state.recordAttempt(d, this.owner, attempt, t);
    if (generation === undefined) {
      this.logger.warn({ deliveryId: d.id }, 'lease lost before the attempt was recorded; another worker owns the delivery now');
      return;
    }
    if (t.status === 'Retry' && t.nextAttemptAt) {
      const delay = Math.max(0, t.nextAttemptAt.getTime() - Date.now());
      await this.producer.enqueue([{ id: d.id, generation, endpoint_id: d.endpoint_id, attempts: d.attempts + 1 }], delay);
    } else if (!d.sole && (t.status === 'Success' || t.status === 'Failure' || t.status === 'Discarded')) {
      await this.state.settleEvent(d.event_id);
    }
    if (t.status === 'Success' || t.status === 'Failure') {
      await this.metaEvents.emit(d.project_id, t.status === 'Success' ? 'eventdelivery.success' : 'eventdelivery.failed', {
        uid: d.id,
        project_id: d.project_id,
        event_id: d.event_id,
        endpoint_id: d.endpoint_id,
        subscription_id: d.subscription_id,
        event_type: d.event_type,
        status: t.status,
        description: t.description,
        metadata: { num_trials: d.attempts + (attempt ? 1 : 0), retry_limit: d.retry_limit },
      });
    }
  }
}

/** Stored request headers never keep the endpoint's credentials. */
function redact(headers: Record<string, string>, secretNames: string[]): Record<string, string> {
  const secret = new Set(secretNames.map((n) => n.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = secret.has(k) ? '[redacted]' : v;
  return out;
}
