import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Dispatcher } from 'undici';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { newId } from '../../common/ids';
import { EndpointsService } from '../endpoints';
import { ProjectsService } from '../projects';
import type { ProjectEntity } from '../projects';
import { AttemptRecord, ClaimedDelivery, DeliveryStateRepository, Transition } from './delivery-state.repository';
import { DeliveryJob, DeliveryProducer } from './delivery.producer';
import { WEBHOOK_DISPATCHER } from './http/dispatcher.provider';
import { sendWebhook, SendOutcome } from './http/webhook-sender';
import { nextRetryDelayMs, retryAfterMs } from './retry-policy';
import { buildDeliveryHeaders } from './signing/delivery-headers';

/** Outcomes that will fail the same way again: retrying them only wastes attempts. */
function isPermanent(o: SendOutcome): boolean {
  return o.errorClass.startsWith('egress_denied') || o.errorClass === 'invalid_url';
}

const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Sends one delivery: claim with a lease, send, then record the attempt and the next
 * state in one transaction. No claim, no send.
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
  ) {}

  async deliver(job: DeliveryJob): Promise<void> {
    const endpoint = await this.endpoints.getForDelivery(job.endpointId);
    const leaseMs = (endpoint?.httpTimeout ?? 60) * 1000 + this.config.leaseGraceMs;
    const d = await this.state.claim(job.deliveryId, job.generation, this.owner, leaseMs);
    if (!d) return;

    if (!endpoint || endpoint.deletedAt) {
      await this.finish(d, null, { status: 'Discarded', nextAttemptAt: null, description: 'endpoint deleted', bumpGeneration: false });
      return;
    }
    if (endpoint.status === 'inactive') {
      await this.finish(d, null, { status: 'Discarded', nextAttemptAt: null, description: 'endpoint is inactive', bumpGeneration: false });
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
    const outcome = await sendWebhook(this.http, { url: endpoint.url, headers, body: d.raw, timeoutMs: endpoint.httpTimeout * 1000 });
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
    await this.finish(d, attempt, this.nextState(d, project, outcome, now));
  }

  private nextState(d: ClaimedDelivery, project: ProjectEntity, o: SendOutcome, now: Date): Transition {
    if (o.ok) return { status: 'Success', nextAttemptAt: null, description: '', bumpGeneration: false };
    const attemptsMade = d.attempts + 1;
    const reason = o.errorClass ? `${o.errorClass}: ${o.error}` : o.error;
    if (d.delivery_mode === 'at_most_once') return { status: 'Failure', nextAttemptAt: null, description: `${reason} (at_most_once: not retried)`, bumpGeneration: false };
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
    } else if (t.status === 'Success' || t.status === 'Failure' || t.status === 'Discarded') {
      await this.state.settleEvent(d.event_id);
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
