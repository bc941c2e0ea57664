import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import type { Tx } from '../../../libs/database/sql';
import { constantTimeEqual } from '../../common/crypto/secret-box';
import { DomainError, limitReached, notFound, unprocessable } from '../../common/errors/domain-error';
import { PageRequest } from '../../common/http/pagination.dto';
import { newId } from '../../common/ids';
import { EncryptionService } from '../instance';
import { ProjectEntity, ProjectsService } from '../projects';
import type { ClientCertificate } from '../webhook-http';
import { clientCertificateProblem, clientCertificateVersion, certificateNotAfter, StoredClientCertificate } from './client-certificate';
import {
  CreateEndpointDto,
  EndpointAuthenticationDto,
  ExpireSecretDto,
  ListEndpointsQueryDto,
  MtlsClientCertDto,
  OAuth2Dto,
  TestOAuth2ResponseDto,
  UpdateEndpointDto,
} from './dto/endpoint.dto';
import { authHeaderProblem, authValueProblem } from './endpoint-auth';
import { EndpointEvents } from './endpoint-events';
import { ReadCache } from '../../common/read-cache';
import { countLiveSecrets, generateSecret, liveSecretsNewestFirst, MAX_LIVE_SECRETS, rotateSecrets, secretProblem, StoredSecret } from './endpoint-secrets';
import { activated, applyDisabledFlag, EndpointStatus, pauseToggled } from './endpoint-status';
import { checkEndpointUrl } from './endpoint-url';
import { EndpointEntity, StoredAuthentication } from './endpoint.entity';
import { EndpointMutation, EndpointsRepository } from './endpoints.repository';
import type { SigningJwk } from './oauth2/client-assertion';
import { checkOAuth2, OAuth2Config, OAuth2ConfigError, publicJwk, REDACTED_SECRET, StoredOAuth2 } from './oauth2/oauth2-config';
import { OAuth2Tokens, TOKEN_REQUEST_TIMEOUT_MS, TokenRequestError } from './oauth2/oauth2-tokens';

/** The credentials one send carries, and what to do when the endpoint refuses them. */
export interface SendCredentials {
  headers: Record<string, string>;
  /** for OAuth2: asks for a new token after a 401 (undefined for static credentials) */
  renew?: (timeoutMs: number) => Promise<Record<string, string>>;
}

export { TokenRequestError };

/** Delivery reads endpoints per attempt; a short per-process cache keeps them off PostgreSQL. */
const DELIVERY_CACHE_TTL_MS = 2_000;
const DEFAULT_HTTP_TIMEOUT = 10;

@Injectable()
export class EndpointsService {
  private readonly deliveryCache = new ReadCache<EndpointEntity | null>(DELIVERY_CACHE_TTL_MS);

  constructor(
    private readonly endpoints: EndpointsRepository,
    private readonly projects: ProjectsService,
    private readonly encryption: EncryptionService,
    private readonly events: EndpointEvents,
    private readonly tokens: OAuth2Tokens,
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
  ) {}

  async create(projectId: string, dto: CreateEndpointDto): Promise<EndpointEntity> {
    const project = await this.projects.get(projectId);
    await this.checkCount(projectId);
    const now = new Date();
    const row: EndpointEntity = {
      id: newId(),
      projectId,
      name: dto.name,
      url: this.checkUrl(dto.url, project),
      description: dto.description ?? '',
      ownerId: dto.owner_id ?? '',
      status: applyDisabledFlag('active', dto.is_disabled),
      secrets: [this.newSecret(project, dto.secret, now)],
      // Convoy defaults outgoing endpoints to advanced signatures; incoming projects always use them.
      advancedSignatures: project.type === 'incoming' ? true : (dto.advanced_signatures ?? true),
      httpTimeout: dto.http_timeout ?? DEFAULT_HTTP_TIMEOUT,
      rateLimit: dto.rate_limit ?? 0,
      rateLimitDuration: dto.rate_limit_duration ?? 0,
      maxConcurrency: dto.max_concurrency ?? null,
      contentType: dto.content_type ?? 'application/json',
      supportEmail: dto.support_email ?? '',
      slackWebhookUrl: dto.slack_webhook_url ? this.checkUrl(dto.slack_webhook_url, project, 'slack_webhook_url') : '',
      authentication: this.sealAuthentication(dto.authentication, project) ?? null,
      mtlsClientCert: this.sealClientCertificate(dto.mtls_client_cert, now) ?? null,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    await this.endpoints.insert(row);
    this.events.emit({ type: 'endpoint.created', projectId, endpointId: row.id });
    return row;
  }

  async list(projectId: string, query: ListEndpointsQueryDto, page: PageRequest): Promise<EndpointEntity[]> {
    await this.projects.getCached(projectId);
    return this.endpoints.list(projectId, { q: query.q, ownerId: query.ownerId }, page, query.sort ?? 'DESC');
  }

  /** An endpoint of a live project, for the API. */
  async get(projectId: string, endpointId: string): Promise<EndpointEntity> {
    await this.projects.getCached(projectId);
    return this.getLive(projectId, endpointId);
  }

  /** A live endpoint of the project, or 404. */
  async getLive(projectId: string, endpointId: string): Promise<EndpointEntity> {
    const row = await this.endpoints.findLive(projectId, endpointId);
    if (!row) throw notFound('endpoint');
    return row;
  }

  /** The live endpoints of the project among `ids` (others' and deleted ones are left out). */
  findManyLive(projectId: string, ids: string[]): Promise<EndpointEntity[]> {
    return this.endpoints.findManyLive(projectId, [...new Set(ids)]);
  }

  async update(projectId: string, endpointId: string, dto: UpdateEndpointDto): Promise<EndpointEntity> {
    const project = await this.projects.get(projectId);
    const patch: Partial<EndpointEntity> = {};
    if (dto.name !== undefined) patch.name = dto.name;
    if (dto.url !== undefined) patch.url = this.checkUrl(dto.url, project);
    if (dto.description !== undefined) patch.description = dto.description;
    if (dto.owner_id !== undefined) patch.ownerId = dto.owner_id;
    if (dto.http_timeout !== undefined) patch.httpTimeout = dto.http_timeout;
    if (dto.rate_limit !== undefined) patch.rateLimit = dto.rate_limit;
    if (dto.rate_limit_duration !== undefined) patch.rateLimitDuration = dto.rate_limit_duration;
    if (dto.max_concurrency !== undefined) patch.maxConcurrency = dto.max_concurrency;
    if (dto.advanced_signatures !== undefined && project.type !== 'incoming') patch.advancedSignatures = dto.advanced_signatures;
    if (dto.content_type !== undefined) patch.contentType = dto.content_type;
    if (dto.support_email !== undefined) patch.supportEmail = dto.support_email;
    if (dto.slack_webhook_url !== undefined)
      patch.slackWebhookUrl = dto.slack_webhook_url ? this.checkUrl(dto.slack_webhook_url, project, 'slack_webhook_url') : '';
    const auth = this.sealAuthentication(dto.authentication, project);
    if (auth !== undefined) patch.authentication = auth;
    if (dto.secret !== undefined) this.checkSecret(project, dto.secret);
    const now = new Date();
    const mtls = this.sealClientCertificate(dto.mtls_client_cert, now);
    if (mtls !== undefined) patch.mtlsClientCert = mtls;

    const res = await this.endpoints.mutate(
      projectId,
      endpointId,
      (row) => {
        const out: Partial<EndpointEntity> = { ...patch };
        const status = applyDisabledFlag(row.status, dto.is_disabled);
        if (status !== row.status) out.status = status;
        // A secret in an update replaces the current one at once; expire_secret is the graceful path.
        if (dto.secret !== undefined && !this.isCurrentSecret(row.secrets, dto.secret, now)) {
          out.secrets = rotateSecrets(row.secrets, this.sealSecret(dto.secret, now), now, 0);
        }
        return out;
      },
      this.statusHook('updated through the API'),
    );
    return this.committed(projectId, endpointId, res, 'endpoint.updated', 'updated through the API');
  }

  async delete(projectId: string, endpointId: string): Promise<void> {
    await this.projects.get(projectId);
    if (!(await this.endpoints.softDelete(projectId, endpointId, (tx) => this.events.runDeleting(tx, endpointId)))) throw notFound('endpoint');
    this.deliveryCache.delete(endpointId);
    this.tokens.forget(endpointId);
    this.events.emit({ type: 'endpoint.deleted', projectId, endpointId });
  }

  /** Convoy's pause: active becomes paused and paused becomes active. */
  async togglePause(projectId: string, endpointId: string): Promise<EndpointEntity> {
    await this.projects.get(projectId);
    const reason = (to: EndpointStatus) => (to === 'paused' ? 'paused through the API' : 'resumed through the API');
    const res = await this.endpoints.mutate(
      projectId,
      endpointId,
      (row) => ({ status: pauseToggled(row.status) }),
      (tx, m) => this.statusHook(reason(m.after.status))(tx, m),
    );
    return this.committed(projectId, endpointId, res, null, reason(res?.after.status ?? 'active'));
  }

  async activate(projectId: string, endpointId: string): Promise<EndpointEntity> {
    await this.projects.get(projectId);
    const res = await this.endpoints.mutate(
      projectId,
      endpointId,
      (row) => (row.status === 'active' ? null : { status: activated(row.status) }),
      this.statusHook('activated through the API'),
    );
    return this.committed(projectId, endpointId, res, null, 'activated through the API');
  }

  /** For the worker's auto-disable and similar system decisions; a no-op when the status is already `status`. */
  async setStatus(projectId: string, endpointId: string, status: EndpointStatus, reason: string): Promise<EndpointEntity> {
    const res = await this.endpoints.mutate(projectId, endpointId, (row) => (row.status === status ? null : { status }), this.statusHook(reason));
    return this.committed(projectId, endpointId, res, null, reason);
  }

  /**
   * Rolls the signing secret: the current one keeps signing for `expiration` seconds
   * (both signatures are sent meanwhile), then only the new one signs.
   */
  async expireSecret(projectId: string, endpointId: string, dto: ExpireSecretDto): Promise<EndpointEntity> {
    const project = await this.projects.get(projectId);
    const now = new Date();
    const next = this.newSecret(project, dto.secret, now);
    const res = await this.endpoints.mutate(projectId, endpointId, (row) => {
      const secrets = rotateSecrets(row.secrets, next, now, dto.expiration);
      if (countLiveSecrets(secrets, now) > MAX_LIVE_SECRETS) {
        throw unprocessable(
          'too_many_secrets',
          `an endpoint signs with at most ${MAX_LIVE_SECRETS} secrets at once; wait for older ones to expire or expire with 0`,
        );
      }
      return { secrets };
    });
    return this.committed(projectId, endpointId, res, 'endpoint.updated', 'secret rolled');
  }

  /** Live endpoints (active or paused) of an owner, for owner-targeted events. */
  findByOwner(projectId: string, ownerId: string): Promise<EndpointEntity[]> {
    return this.endpoints.findByOwner(projectId, ownerId);
  }

  /** Live endpoints (active, paused or inactive) of these owners, for portal links. */
  liveOfOwners(projectId: string, ownerIds: string[]): Promise<EndpointEntity[]> {
    return this.endpoints.findLiveOfOwners(projectId, [...new Set(ownerIds)]);
  }

  /** Ids of an owner's live endpoints, whatever their status: what a portal link may see. */
  idsOfOwner(projectId: string, ownerId: string): Promise<string[]> {
    return this.endpoints.idsOfOwner(projectId, ownerId);
  }

  /** An endpoint of this owner, or 404 as if it did not exist (another owner's ids included). */
  async getOwned(projectId: string, ownerId: string, endpointId: string): Promise<EndpointEntity> {
    const row = await this.get(projectId, endpointId);
    if (row.ownerId !== ownerId) throw notFound('endpoint');
    return row;
  }

  /**
   * Convoy's deprecated `endpoints` list of a portal link: each endpoint must be live in the
   * project; one without an owner gets `ownerId`, one with another owner is refused. Runs in
   * the caller's transaction (the portal link's write), so both commit or neither.
   */
  async claimForOwner(tx: Tx, projectId: string, endpointIds: string[], ownerId: string): Promise<void> {
    const ids = [...new Set(endpointIds)];
    if (ids.length === 0) return;
    const rows = await this.endpoints.lockLive(tx, projectId, ids);
    const found = new Map(rows.map((r) => [r.id, r]));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new DomainError('not_found', 'endpoint_not_found', `endpoint ${missing[0]} not found`, { endpoints: missing });
    const foreign = rows.filter((r) => r.ownerId !== '' && r.ownerId !== ownerId);
    if (foreign.length) {
      throw unprocessable('endpoint_owned_elsewhere', `endpoint ${foreign[0].id} already has owner_id ${foreign[0].ownerId}`, {
        endpoints: foreign.map((r) => r.id),
      });
    }
    await this.endpoints.setBlankOwner(
      tx,
      projectId,
      rows.filter((r) => r.ownerId === '').map((r) => r.id),
      ownerId,
    );
  }

  /**
   * For dynamic events: the project's endpoint with this URL, created (after the same URL
   * checks as the API) when missing. An existing endpoint keeps its secrets: a producer
   * must not be able to rotate them by sending an event.
   */
  async findOrCreateByUrl(projectId: string, url: string, secret?: string): Promise<EndpointEntity> {
    const project = await this.projects.getCached(projectId);
    const checked = this.checkUrl(url, project);
    const now = new Date();
    const { row, created } = await this.endpoints.findOrInsertByUrl(
      projectId,
      checked,
      () => ({
        id: newId(),
        projectId,
        name: checked.slice(0, 200),
        url: checked,
        description: '',
        ownerId: '',
        status: 'active',
        secrets: [this.newSecret(project, secret, now)],
        advancedSignatures: true,
        httpTimeout: DEFAULT_HTTP_TIMEOUT,
        rateLimit: 0,
        rateLimitDuration: 0,
        maxConcurrency: null,
        contentType: 'application/json',
        supportEmail: '',
        slackWebhookUrl: '',
        authentication: null,
        mtlsClientCert: null,
        createdAt: now,
        updatedAt: now,
        deletedAt: null,
      }),
      this.config.projectMaxEndpoints,
    );
    if (created) this.events.emit({ type: 'endpoint.created', projectId, endpointId: row.id });
    return row;
  }

  private async checkCount(projectId: string): Promise<void> {
    if ((await this.endpoints.countLive(projectId)) >= this.config.projectMaxEndpoints) throw limitReached('endpoints', this.config.projectMaxEndpoints);
  }

  /** Plaintext of every secret that still signs at `now`, newest first. */
  signingSecrets(endpoint: EndpointEntity, now: Date): string[] {
    return liveSecretsNewestFirst(endpoint.secrets, now).map((s) => this.encryption.open(s.value));
  }

  /** The headers the endpoint's static authentication (api_key, basic_auth) adds to each delivery; none for OAuth2. */
  authenticationHeaders(endpoint: EndpointEntity): Record<string, string> {
    const a = endpoint.authentication;
    if (!a) return {};
    if (a.type === 'api_key') return { [a.api_key.header_name]: this.encryption.open(a.api_key.header_value) };
    if (a.type === 'oauth2') return {};
    const token = Buffer.from(`${a.basic_auth.username}:${this.encryption.open(a.basic_auth.password)}`, 'utf8').toString('base64');
    return { Authorization: `Basic ${token}` };
  }

  /**
   * The credential headers of one send. For OAuth2 that is `Authorization: <type> <token>`
   * with a token cached in this process; a failed token request throws TokenRequestError,
   * which the caller records as a failed attempt.
   */
  async sendCredentials(endpoint: EndpointEntity, timeoutMs: number): Promise<SendCredentials> {
    const a = endpoint.authentication;
    if (a?.type !== 'oauth2') return { headers: this.authenticationHeaders(endpoint) };
    const config = this.openOAuth2(a.oauth2);
    // a token of earlier settings is never used: every write of them seals afresh, so this changes
    const version = createHash('sha256').update(JSON.stringify(a.oauth2)).digest('base64url');
    const first = await this.tokens.authorization(endpoint.id, version, config, { timeoutMs });
    return {
      headers: { Authorization: first },
      renew: async (renewTimeoutMs) => ({
        Authorization: await this.tokens.authorization(endpoint.id, version, config, { timeoutMs: renewTimeoutMs, rejected: first }),
      }),
    };
  }

  /** The client certificate to present to the endpoint, opened, with the key of its own connection pool. */
  clientCertificate(endpoint: EndpointEntity): (ClientCertificate & { owner: string; version: string }) | undefined {
    const c = endpoint.mtlsClientCert;
    if (!c) return undefined;
    return { cert: c.client_cert, key: this.encryption.open(c.client_key), owner: endpoint.id, version: clientCertificateVersion(c) };
  }

  /** Convoy's `POST …/endpoints/oauth2/test`: one token request with these settings, nothing stored or cached. */
  async testOAuth2(projectId: string, dto: OAuth2Dto): Promise<TestOAuth2ResponseDto> {
    const project = await this.projects.getCached(projectId);
    const config = this.checkOAuth2(dto, project, 'oauth2');
    try {
      const token = await this.tokens.request(config, TOKEN_REQUEST_TIMEOUT_MS);
      return {
        success: true,
        access_token: token.accessToken,
        token_type: token.tokenType,
        expires_at: new Date(token.issuedAtMs + token.lifetimeMs).toISOString(),
        message: 'OAuth2 connection successful',
      };
    } catch (e) {
      if (!(e instanceof TokenRequestError)) throw e;
      return { success: false, error: e.message, message: 'OAuth2 connection test failed' };
    }
  }

  /** Removes signing secrets whose expiry has passed (the `secret-purge` worker duty); returns the endpoints cleaned. */
  async purgeExpiredSecrets(limit: number): Promise<string[]> {
    const ids = await this.endpoints.purgeExpiredSecrets(limit);
    for (const id of ids) this.deliveryCache.delete(id);
    return ids;
  }

  /**
   * Hot-path read for the delivery worker: at most a couple of seconds stale; null when
   * deleted. `fresh` skips the cache where a stale status would hold a delivery back.
   */
  async getForDelivery(endpointId: string, opts: { fresh?: boolean } = {}): Promise<EndpointEntity | null> {
    return this.deliveryCache.get(endpointId, () => this.endpoints.findLiveById(endpointId), opts.fresh);
  }

  /** Runs the status-change hooks inside the mutation's transaction when the status moved. */
  private statusHook(reason: string): (tx: Tx, m: EndpointMutation) => Promise<void> {
    return async (tx, m) => {
      if (m.after.status !== m.before.status) await this.events.runStatusChanging(tx, { before: m.before, after: m.after, reason });
    };
  }

  private committed(projectId: string, endpointId: string, res: EndpointMutation | null, type: 'endpoint.updated' | null, reason: string): EndpointEntity {
    if (!res) throw notFound('endpoint');
    this.deliveryCache.delete(endpointId);
    if (res.after === res.before) return res.after;
    if (type) this.events.emit({ type, projectId, endpointId });
    if (res.after.status !== res.before.status) {
      this.events.emit({ type: 'endpoint.status_changed', projectId, endpointId, from: res.before.status, to: res.after.status, reason });
    }
    return res.after;
  }

  /** Why the project could not use `url` for an endpoint, or undefined when it could (a dry run's check). */
  async urlProblem(projectId: string, url: string): Promise<string | undefined> {
    const project = await this.projects.getCached(projectId);
    try {
      this.checkUrl(url, project);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  private checkUrl(url: string, project: ProjectEntity, field = 'url'): string {
    return checkEndpointUrl(url, field, { allow: this.config.egressAllow, requireHttps: project.config.ssl.enforce_secure_endpoints });
  }

  private checkSecret(project: ProjectEntity, value: string): void {
    const problem = secretProblem(project.config.signature_scheme, value);
    if (problem) throw unprocessable('invalid_secret', problem);
  }

  private newSecret(project: ProjectEntity, given: string | undefined, now: Date): StoredSecret {
    if (given !== undefined) this.checkSecret(project, given);
    return this.sealSecret(given ?? generateSecret(project.config.signature_scheme), now);
  }

  private sealSecret(value: string, now: Date): StoredSecret {
    const stamp = now.toISOString();
    return { uid: newId(), value: this.encryption.seal(value), created_at: stamp, updated_at: stamp, expires_at: null, deleted_at: null };
  }

  private isCurrentSecret(secrets: readonly StoredSecret[], value: string, now: Date): boolean {
    const current = liveSecretsNewestFirst(secrets, now).find((s) => s.expires_at === null);
    return current !== undefined && constantTimeEqual(this.encryption.open(current.value), value);
  }

  /** undefined = leave as is; null = remove. */
  private sealAuthentication(dto: EndpointAuthenticationDto | null | undefined, project: ProjectEntity): StoredAuthentication | null | undefined {
    if (dto === undefined) return undefined;
    if (dto === null || dto.type === '') return null;
    if (dto.type === 'api_key') {
      if (!dto.api_key) throw unprocessable('invalid_authentication', 'authentication.api_key is required for type api_key');
      const problem =
        authHeaderProblem(dto.api_key.header_name, project.config.signature.header) ??
        authValueProblem('authentication.api_key.header_value', dto.api_key.header_value);
      if (problem) throw unprocessable('invalid_authentication', problem);
      return { type: 'api_key', api_key: { header_name: dto.api_key.header_name, header_value: this.encryption.seal(dto.api_key.header_value) } };
    }
    if (dto.type === 'basic_auth') {
      if (!dto.basic_auth) throw unprocessable('invalid_authentication', 'authentication.basic_auth is required for type basic_auth');
      const problem =
        authValueProblem('authentication.basic_auth.username', dto.basic_auth.username) ??
        authValueProblem('authentication.basic_auth.password', dto.basic_auth.password);
      if (problem) throw unprocessable('invalid_authentication', problem);
      if (dto.basic_auth.username.includes(':')) throw unprocessable('invalid_authentication', 'authentication.basic_auth.username cannot contain ":"');
      return { type: 'basic_auth', basic_auth: { username: dto.basic_auth.username, password: this.encryption.seal(dto.basic_auth.password) } };
    }
    const config = this.checkOAuth2(dto.oauth2, project, 'authentication.oauth2');
    const { client_secret: secret, signing_key: key, ...rest } = config;
    const stored: StoredOAuth2 = {
      ...rest,
      client_secret: secret ? this.encryption.seal(secret) : null,
      signing_key: key ? this.encryption.seal(JSON.stringify(key)) : null,
      signing_key_public: key ? publicJwk(key) : null,
    };
    return { type: 'oauth2', oauth2: stored };
  }

  private checkOAuth2(dto: OAuth2Dto | undefined, project: ProjectEntity, field: string): OAuth2Config {
    let config: OAuth2Config;
    try {
      config = checkOAuth2(dto, field);
    } catch (e) {
      if (e instanceof OAuth2ConfigError) throw unprocessable('invalid_authentication', e.message, { field });
      throw e;
    }
    this.checkUrl(config.url, project, `${field}.url`);
    for (const [name, value] of [
      ['client_id', config.client_id],
      ['client_secret', config.client_secret ?? ''],
    ] as const) {
      const problem = authValueProblem(`${field}.${name}`, value);
      if (problem) throw unprocessable('invalid_authentication', problem);
    }
    return config;
  }

  private openOAuth2(s: StoredOAuth2): OAuth2Config {
    const { client_secret: secret, signing_key: key, signing_key_public: _public, ...rest } = s;
    return {
      ...rest,
      client_secret: secret ? this.encryption.open(secret) : undefined,
      signing_key: key ? (JSON.parse(this.encryption.open(key)) as SigningJwk) : undefined,
    };
  }

  /** undefined = leave as is; null (or both members empty, as Convoy) = remove. */
  private sealClientCertificate(dto: MtlsClientCertDto | null | undefined, now: Date): StoredClientCertificate | null | undefined {
    if (dto === undefined) return undefined;
    if (dto === null || (!dto.client_cert && !dto.client_key)) return null;
    if (!dto.client_cert || !dto.client_key) throw unprocessable('invalid_client_certificate', 'mtls_client_cert requires both client_cert and client_key');
    if (dto.client_key === REDACTED_SECRET)
      throw unprocessable('invalid_client_certificate', 'mtls_client_cert.client_key must be the key itself, not the placeholder answers show');
    const problem = clientCertificateProblem(dto.client_cert, dto.client_key, now);
    if (problem) throw unprocessable('invalid_client_certificate', problem, { field: 'mtls_client_cert' });
    return { client_cert: dto.client_cert, client_key: this.encryption.seal(dto.client_key), not_after: certificateNotAfter(dto.client_cert) };
  }
}
