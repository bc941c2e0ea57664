import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { isValidStandardSecret, signConvoyVersions, signStandard } from '../../../libs/webhooks';
import { PeriodicTask } from '../../common/periodic-task';
import { classifyAttempt, nextRetryDelayMs } from '../../common/retry-policy';
import { ProjectsService } from '../projects';
import type { ProjectEntity } from '../projects';
import { USER_AGENT, WebhookClient } from '../webhook-http';
import type { MetaEventRow } from './meta-events.repository';
import { MetaEventsService } from './meta-events.service';

const BATCH = 20;
export const META_EVENT_ID_HEADER = 'x-caravan-meta-event-id';

/** Headers of one meta event request, signed with the project's meta secret in its scheme. */
export function metaEventHeaders(project: ProjectEntity, secret: string | undefined, id: string, payload: string, now: Date): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', 'user-agent': USER_AGENT, [META_EVENT_ID_HEADER]: id };
  if (!secret) return h;
  const timestamp = Math.floor(now.getTime() / 1000);
  if (project.config.signature_scheme === 'standard' && isValidStandardSecret(secret)) {
    h['webhook-id'] = id;
    h['webhook-timestamp'] = String(timestamp);
    h['webhook-signature'] = signStandard({ id, timestamp, payload, secrets: [secret] });
    return h;
  }
  const versions = project.config.signature.versions.length ? project.config.signature.versions : [{ hash: 'SHA256' as const, encoding: 'hex' as const }];
  h[project.config.signature.header.toLowerCase()] = signConvoyVersions({ payload, secrets: [secret], versions, advanced: true, timestamp });
  return h;
}

/**
 * Sends due meta events from the worker: polls PostgreSQL (the record), claims a batch
 * with a lease, sends each to the project's meta URL through the same guarded HTTP client
 * as deliveries, and records the outcome. A failed send is retried on the project's
 * retry schedule up to META_EVENT_RETRY_LIMIT attempts, unless the attempt rule says
 * retrying cannot help (an address the SSRF policy denies, an unparseable URL).
 */
@Injectable()
export class MetaEventSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetaEventSender.name);
  private readonly owner = `${hostname()}:${process.pid}:meta:${randomUUID().slice(0, 8)}`;
  private readonly loop = new PeriodicTask(
    'meta event pass',
    this.logger,
    () => this.sendDue(),
    (n) => (n === BATCH ? 0 : this.config.metaEventPollMs),
  );

  constructor(
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly client: WebhookClient,
    private readonly metaEvents: MetaEventsService,
    private readonly projects: ProjectsService,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start(0);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass; public so tests can drive it. Returns how many were sent. */
  async sendDue(): Promise<number> {
    await this.metaEvents.recoverExpiredLeases(BATCH);
    const rows = await this.metaEvents.claimDue(this.owner, this.config.metaEventTimeoutMs + this.config.leaseGraceMs, BATCH);
    await Promise.all(rows.map((r) => this.sendOne(r)));
    return rows.length;
  }

  private async sendOne(m: MetaEventRow): Promise<void> {
    let project: ProjectEntity;
    try {
      project = await this.projects.getCached(m.project_id);
    } catch {
      await this.metaEvents.recordAttempt(m.id, this.owner, 'Discarded', null, {
        request_http_header: {},
        response_http_header: {},
        response_data: '',
        http_status: '',
        error: 'project deleted',
      });
      return;
    }
    const url = project.config.meta_event.url;
    const payload = JSON.stringify(m.payload);
    const headers = metaEventHeaders(project, this.projects.metaEventSecret(project), m.id, payload, new Date());
    const o = await this.client.send({ url, headers, body: payload, timeoutMs: this.config.metaEventTimeoutMs });
    const attempt = {
      request_http_header: headers,
      response_http_header: o.headers,
      response_data: o.body,
      http_status: o.status === undefined ? '' : String(o.status),
      error: o.error,
    };
    if (o.ok) {
      await this.metaEvents.recordAttempt(m.id, this.owner, 'Success', null, attempt);
      return;
    }
    const made = m.attempts + 1;
    if (made >= m.retry_limit || !project.config.meta_event.is_enabled || !classifyAttempt(o).retryable) {
      await this.metaEvents.recordAttempt(m.id, this.owner, 'Failure', null, attempt);
      return;
    }
    const next = new Date(Date.now() + nextRetryDelayMs(project.config.strategy, made));
    await this.metaEvents.recordAttempt(m.id, this.owner, 'Retry', next, attempt);
  }
}
