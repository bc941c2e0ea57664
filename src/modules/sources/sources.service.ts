import { Inject, Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { AllowList, parseAllowList } from '../../../libs/ssrf';
import { InvalidationBus } from '../../../libs/queue';
import { notFound, unprocessable } from '../../common/errors/domain-error';
import { PageRequest } from '../../common/http/pagination.dto';
import { newId } from '../../common/ids';
import { BrokerAddressRefused, BrokerUnreachable, checkBroker, checkBrokerAddresses, PubSubSettings } from '../broker-clients';
import { EncryptionService } from '../instance';
import { ProjectEntity, ProjectsService } from '../projects';
import { CreateSourceDto, ListSourcesQueryDto, MAX_CUSTOM_RESPONSE_BYTES, UpdateSourceDto } from './dto/source.dto';
import { openPubSub, pubSubFromDto, sealPubSub, StoredPubSub } from './pub-sub-settings';
import { SourceEntity, StoredVerifier } from './source.entity';
import { SourceEvents } from './source-events';
import { checkEventTypeLocation, checkForwardHeaders, checkIdempotencyKeys, verifierFromDto } from './source-settings';
import { SourcesRepository } from './sources.repository';
import type { SourceProvider, VerifierConfig } from './verifiers';

interface CachedSource {
  at: number;
  row: SourceEntity | null;
}

/** /ingest reads a source per request; a short per-process cache keeps it off PostgreSQL. */
const INGEST_CACHE_TTL_MS = 2_000;
const INGEST_CACHE_MAX = 10_000;
const MASK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const MASK_LENGTH = 16;
/** more broker sources than any one deployment runs; the supervisor reads them in one go */
const MAX_CONSUMABLE_SOURCES = 10_000;

/** A broker source with its settings opened, for the broker supervisor. */
export interface ConsumableSource {
  source: SourceEntity;
  settings: PubSubSettings;
}

@Injectable()
export class SourcesService {
  private readonly ingestCache = new Map<string, CachedSource>();

  constructor(
    private readonly sources: SourcesRepository,
    private readonly projects: ProjectsService,
    private readonly encryption: EncryptionService,
    private readonly events: SourceEvents,
    private readonly bus: InvalidationBus,
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
  ) {
    this.brokerAllow = parseAllowList(config.brokerAllow);
  }

  /** where pub/sub brokers may be although not global unicast (BROKER_ALLOW) */
  readonly brokerAllow: AllowList;

  async create(projectId: string, dto: CreateSourceDto): Promise<SourceEntity> {
    const project = await this.projects.get(projectId);
    checkKind(project, dto.type, dto.pub_sub);
    const pubSub = dto.type === 'pub_sub' ? await this.checkedPubSub(dto) : null;
    const provider = pubSub ? '' : (dto.provider ?? '');
    const verifier = pubSub ? ({ type: 'noop' } as const) : verifierFromDto(dto.verifier, provider);
    const now = new Date();
    const row: SourceEntity = {
      id: newId(),
      projectId,
      maskId: newMask(),
      name: dto.name,
      type: pubSub ? 'pub_sub' : 'http',
      provider,
      isDisabled: dto.is_disabled ?? false,
      verifier: this.seal(verifier),
      customResponse: checkCustomResponse({ body: dto.custom_response?.body ?? '', content_type: dto.custom_response?.content_type ?? '' }),
      idempotencyKeys: checkIdempotencyKeys(dto.idempotency_keys ?? []),
      eventTypeLocation: checkEventTypeLocation(dto.event_type_location ?? '', provider, verifier),
      forwardHeaders: checkForwardHeaders(dto.forward_headers ?? []),
      bodyFunction: dto.body_function ?? null,
      headerFunction: dto.header_function ?? null,
      providerConfig: provider === 'twitter' ? { twitter: { crc_verified_at: null } } : null,
      pubSub,
      rateLimit: dto.rate_limit ?? 0,
      rateLimitDuration: dto.rate_limit_duration ?? 0,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    await this.sources.insert(row);
    if (pubSub) this.bus.publish('source', row.id);
    return row;
  }

  /** The broker sources the supervisor should be consuming now, with their secrets opened. */
  async listConsumable(): Promise<ConsumableSource[]> {
    const rows = await this.sources.listConsumable(MAX_CONSUMABLE_SOURCES);
    return rows.filter((r) => r.pubSub).map((source) => ({ source, settings: openPubSub(source.pubSub!, this.encryption) }));
  }

  async list(projectId: string, q: ListSourcesQueryDto, page: PageRequest): Promise<SourceEntity[]> {
    await this.projects.getCached(projectId);
    return this.sources.list(projectId, { q: q.q, type: q.type, provider: q.provider }, page);
  }

  async get(projectId: string, id: string): Promise<SourceEntity> {
    await this.projects.getCached(projectId);
    const row = await this.sources.findLive(projectId, id);
    if (!row) throw notFound('source');
    return row;
  }

  /** The live sources of the project among `ids` (others' and deleted ones are left out). */
  findManyLive(projectId: string, ids: string[]): Promise<SourceEntity[]> {
    return this.sources.findManyLive(projectId, [...new Set(ids)]);
  }

  /** Whether a live source with this id belongs to the project (subscriptions check their source_id). */
  async exists(projectId: string, id: string): Promise<boolean> {
    return (await this.sources.findLive(projectId, id)) !== null;
  }

  async update(projectId: string, id: string, dto: UpdateSourceDto): Promise<SourceEntity> {
    const project = await this.projects.get(projectId);
    const before = await this.sources.findLive(projectId, id);
    if (!before) throw notFound('source');
    if (dto.type !== undefined && dto.type !== before.type) {
      throw unprocessable('invalid_source_type', `a source's type cannot change (it is ${before.type})`, { field: 'type' });
    }
    if (dto.pub_sub) checkKind(project, before.type, dto.pub_sub);
    const pubSub = before.type === 'pub_sub' && dto.pub_sub ? await this.checkedPubSub(dto) : undefined;
    const row = await this.sources.mutate(projectId, id, (cur) => {
      const patch: Partial<SourceEntity> = {};
      if (pubSub) patch.pubSub = pubSub;
      const provider = dto.provider ?? cur.provider;
      if (dto.name !== undefined) patch.name = dto.name;
      if (dto.provider !== undefined) patch.provider = dto.provider;
      if (dto.is_disabled !== undefined) patch.isDisabled = dto.is_disabled;
      // a new provider needs its secret again; otherwise the stored verifier stays unless replaced
      let verifier: VerifierConfig | undefined;
      if (dto.verifier !== undefined || (dto.provider !== undefined && dto.provider !== cur.provider)) {
        // dropping a preset must not leave the source open to anyone: say what checks it now
        if (dto.verifier === undefined && provider === '') {
          throw unprocessable('invalid_verifier', 'verifier is required when the provider is removed', { field: 'verifier' });
        }
        verifier = verifierFromDto(dto.verifier, provider);
        patch.verifier = this.seal(verifier);
      }
      if (dto.custom_response !== undefined) {
        patch.customResponse = checkCustomResponse({
          body: dto.custom_response.body ?? cur.customResponse.body,
          content_type: dto.custom_response.content_type ?? cur.customResponse.content_type,
        });
      }
      if (dto.idempotency_keys !== undefined) patch.idempotencyKeys = checkIdempotencyKeys(dto.idempotency_keys);
      if (dto.forward_headers !== undefined) patch.forwardHeaders = checkForwardHeaders(dto.forward_headers);
      if (dto.body_function !== undefined) patch.bodyFunction = dto.body_function;
      if (dto.header_function !== undefined) patch.headerFunction = dto.header_function;
      if (dto.rate_limit !== undefined) patch.rateLimit = dto.rate_limit;
      if (dto.rate_limit_duration !== undefined) patch.rateLimitDuration = dto.rate_limit_duration;
      // the location is checked against the verifier it will run with, old or new
      const location = dto.event_type_location ?? cur.eventTypeLocation;
      patch.eventTypeLocation = checkEventTypeLocation(location, provider, verifier ?? this.open(cur.verifier));
      if (provider === 'twitter' && !cur.providerConfig?.twitter) patch.providerConfig = { twitter: { crc_verified_at: null } };
      return patch;
    });
    if (!row) throw notFound('source');
    this.ingestCache.delete(row.maskId);
    if (row.type === 'pub_sub') this.bus.publish('source', row.id);
    return row;
  }

  async delete(projectId: string, id: string): Promise<void> {
    await this.projects.get(projectId);
    const row = await this.sources.findLive(projectId, id);
    if (!row || !(await this.sources.softDelete(projectId, id, (tx) => this.events.runDeleting(tx, id)))) throw notFound('source');
    this.ingestCache.delete(row.maskId);
    if (row.type === 'pub_sub') this.bus.publish('source', row.id);
  }

  /** The live source behind a mask, at most a couple of seconds stale; null when there is none. */
  async findForIngest(maskId: string): Promise<SourceEntity | null> {
    const hit = this.ingestCache.get(maskId);
    const now = Date.now();
    if (hit && now - hit.at < INGEST_CACHE_TTL_MS) return hit.row;
    const row = await this.sources.findLiveByMask(maskId);
    if (this.ingestCache.size >= INGEST_CACHE_MAX) this.ingestCache.clear();
    this.ingestCache.set(maskId, { at: now, row });
    return row;
  }

  /** The verifier with its secrets opened, for /ingest only. */
  open(v: StoredVerifier): VerifierConfig {
    const o = (s: Parameters<EncryptionService['open']>[0]) => this.encryption.open(s);
    switch (v.type) {
      case 'noop':
        return v;
      case 'hmac':
        return { type: 'hmac', hmac: { ...v.hmac, secret: o(v.hmac.secret) } };
      case 'basic_auth':
        return { type: 'basic_auth', basic_auth: { username: v.basic_auth.username, password: o(v.basic_auth.password) } };
      case 'api_key':
        return { type: 'api_key', api_key: { header_name: v.api_key.header_name, header_value: o(v.api_key.header_value) } };
      case 'standard_webhooks':
        return { type: 'standard_webhooks', standard_webhooks: { ...v.standard_webhooks, secret: o(v.standard_webhooks.secret) } };
      case 'timestamped_hmac':
        return { type: 'timestamped_hmac', timestamped_hmac: { ...v.timestamped_hmac, secret: o(v.timestamped_hmac.secret) } };
    }
  }

  async markCrcVerified(source: SourceEntity): Promise<void> {
    await this.sources.markCrcVerified(source.id, new Date());
    this.ingestCache.delete(source.maskId);
  }

  /** Where senders POST: Convoy's `url`. */
  urlOf(source: SourceEntity): string {
    const base = (this.config.ingestBaseUrl ?? `http://localhost:${this.config.port}`).replace(/\/+$/, '');
    return `${base}/ingest/${source.maskId}`;
  }

  /** The request's broker settings, tried by connecting as a consumer would, sealed for storage. */
  private async checkedPubSub(dto: CreateSourceDto | UpdateSourceDto): Promise<StoredPubSub> {
    const settings = pubSubFromDto(dto.pub_sub);
    try {
      await checkBrokerAddresses(settings, this.brokerAllow);
      await checkBroker(settings);
    } catch (e) {
      if (e instanceof BrokerAddressRefused) throw unprocessable('broker_address_refused', `pub_sub: ${e.message}`, { field: 'pub_sub' });
      if (e instanceof BrokerUnreachable)
        throw unprocessable('broker_unreachable', `pub_sub: the broker could not be used: ${e.message}`, { field: 'pub_sub' });
      throw e;
    }
    return sealPubSub(settings, this.encryption);
  }

  private seal(v: VerifierConfig): StoredVerifier {
    const s = (text: string) => this.encryption.seal(text);
    switch (v.type) {
      case 'noop':
        return v;
      case 'hmac':
        return { type: 'hmac', hmac: { ...v.hmac, secret: s(v.hmac.secret) } };
      case 'basic_auth':
        return { type: 'basic_auth', basic_auth: { username: v.basic_auth.username, password: s(v.basic_auth.password) } };
      case 'api_key':
        return { type: 'api_key', api_key: { header_name: v.api_key.header_name, header_value: s(v.api_key.header_value) } };
      case 'standard_webhooks':
        return { type: 'standard_webhooks', standard_webhooks: { ...v.standard_webhooks, secret: s(v.standard_webhooks.secret) } };
      case 'timestamped_hmac':
        return { type: 'timestamped_hmac', timestamped_hmac: { ...v.timestamped_hmac, secret: s(v.timestamped_hmac.secret) } };
    }
  }
}

/** Convoy's 16-character mask: what senders know of a source. */
function newMask(): string {
  let out = '';
  for (let i = 0; i < MASK_LENGTH; i++) out += MASK_ALPHABET[randomInt(MASK_ALPHABET.length)];
  return out;
}

function checkKind(project: ProjectEntity, type: string, pubSub: unknown): void {
  if (type === 'pub_sub') {
    if (project.type !== 'outgoing') {
      throw unprocessable('outgoing_project_required', 'pub_sub sources belong to outgoing projects; this project is incoming', { field: 'type' });
    }
    return;
  }
  if (type !== 'http') {
    throw unprocessable('unsupported_source_type', `${type} sources are not supported yet; use http (incoming webhooks) or pub_sub (message brokers)`, {
      field: 'type',
    });
  }
  if (pubSub) throw unprocessable('invalid_pub_sub', 'pub_sub is only for sources of type pub_sub', { field: 'pub_sub' });
  if (project.type !== 'incoming') {
    throw unprocessable('incoming_project_required', 'http sources belong to incoming projects; this project is outgoing', { field: 'type' });
  }
}

function checkCustomResponse(r: { body: string; content_type: string }): { body: string; content_type: string } {
  if (Buffer.byteLength(r.body) > MAX_CUSTOM_RESPONSE_BYTES) {
    throw unprocessable('invalid_custom_response', `custom_response.body is larger than ${MAX_CUSTOM_RESPONSE_BYTES} bytes`, { field: 'custom_response' });
  }
  return r;
}

export type { SourceProvider };
