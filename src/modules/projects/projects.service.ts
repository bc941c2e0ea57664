import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { validateEndpointUrl } from '../../../libs/ssrf/url-policy';
import { EncryptionService } from '../instance';
import { InvalidationBus } from '../../../libs/queue/invalidation-bus';
import { ApiKeysService, IssuedKey } from '../auth';
import { badRequest, notFound } from '../../common/errors/domain-error';
import { RESERVED_HEADER_NAMES } from '../../common/http/json-guard';
import { PageRequest } from '../../common/http/pagination.dto';
import { newId } from '../../common/ids';
import { CreateProjectDto, UpdateProjectDto } from './dto/project.dto';
import { defaultProjectConfig, mergeProjectConfig, ProjectConfig, ProjectConfigPatch } from './project-config';
import { ProjectEntity } from './project.entity';
import { ProjectsRepository } from './projects.repository';
import type { Tx } from '../../../libs/database/sql';
import { ReadCache } from '../../common/read-cache';

/** Runs inside the transaction that deletes a project; a failure aborts the deletion. */
export type ProjectDeletingHook = (tx: Tx, projectId: string) => Promise<void>;

/** Project reads are on every hot path; a short per-process cache keeps them off PostgreSQL. */
const CACHE_TTL_MS = 5_000;

@Injectable()
export class ProjectsService implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new ReadCache<ProjectEntity | null>(CACHE_TTL_MS);
  private readonly deleting = new Set<ProjectDeletingHook>();
  private unsubscribe?: () => void;

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly apiKeys: ApiKeysService,
    private readonly bus: InvalidationBus,
    private readonly encryption: EncryptionService,
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
  ) {}

  /** The meta-event secret in plain text, for signing (rows written before sealing hold it plain). */
  metaEventSecret(project: ProjectEntity): string | undefined {
    const s = project.config.meta_event.secret;
    if (s === undefined || s === '') return undefined;
    return typeof s === 'string' ? s : this.encryption.open(s);
  }

  /**
   * What a config may hold before it is stored: the meta-event URL passes the same
   * write-time SSRF check as endpoint URLs, and a new meta-event secret is sealed.
   */
  private checked(c: ProjectConfig, patch: ProjectConfigPatch | undefined): ProjectConfig {
    if (isGatewayOwnedHeader(c.signature.header)) {
      throw badRequest('invalid_signature_header', `config.signature.header cannot be ${c.signature.header}: the HTTP client or the gateway sets that header`);
    }
    const url = c.meta_event.url;
    if (url) {
      const verdict = validateEndpointUrl(url, { allow: this.config.egressAllow, requireHttps: false });
      if (!verdict.ok) throw badRequest('invalid_meta_event_url', `config.meta_event.url: ${verdict.reason}`, { policy: verdict.code });
    }
    const given = (patch as { meta_event?: { secret?: unknown } } | undefined)?.meta_event?.secret;
    if (typeof given === 'string' && given !== '') return { ...c, meta_event: { ...c.meta_event, secret: this.encryption.seal(given) } };
    return c;
  }

  /** A project changed or deleted on any pod leaves this pod's cache at once. */
  onModuleInit(): void {
    this.unsubscribe = this.bus.on('project', (id) => this.cache.delete(id));
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Another key for a live project; the project row is held meanwhile, so a deletion cannot slip in between. */
  async issueKey(projectId: string, name: string, expiresAt: Date | null): Promise<IssuedKey> {
    const issued = await this.projects.withLiveProject(projectId, (tx) => this.apiKeys.issueProjectKey(projectId, name, expiresAt, tx));
    if (!issued) throw notFound('project');
    return issued;
  }

  async create(dto: CreateProjectDto): Promise<{ project: ProjectEntity; key: IssuedKey }> {
    const now = new Date();
    const config = this.checked(
      normaliseConfig(mergeProjectConfig(defaultProjectConfig(now, newId()), dto.config as ProjectConfigPatch)),
      dto.config as ProjectConfigPatch,
    );
    const project: ProjectEntity = {
      id: newId(),
      name: dto.name,
      type: dto.type,
      logoUrl: dto.logo_url ?? '',
      config,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    await this.projects.insert(project);
    const key = await this.apiKeys.issueProjectKey(project.id, `${project.name}'s default key`);
    return { project, key };
  }

  async get(id: string): Promise<ProjectEntity> {
    const p = await this.projects.findLive(id);
    if (!p) throw notFound('project');
    return p;
  }

  /** Cached read for hot paths (ingest, delivery); at most a few seconds stale. */
  async getCached(id: string): Promise<ProjectEntity> {
    const project = await this.cache.get(id, () => this.projects.findLive(id));
    if (!project) throw notFound('project');
    return project;
  }

  list(page: PageRequest, onlyId?: string): Promise<ProjectEntity[]> {
    return this.projects.list(page, onlyId);
  }

  async update(id: string, dto: UpdateProjectDto): Promise<ProjectEntity> {
    const current = await this.get(id);
    const config = dto.config
      ? this.checked(normaliseConfig(mergeProjectConfig(current.config, dto.config as ProjectConfigPatch)), dto.config as ProjectConfigPatch)
      : current.config;
    await this.projects.update(id, { name: dto.name ?? current.name, logoUrl: dto.logo_url ?? current.logoUrl, config });
    this.bus.publish('project', id);
    return this.get(id);
  }

  /**
   * For modules downstream that own rows of a project and remove them with it (the
   * subscriptions' filter rows): their statement joins the deletion's transaction. Returns
   * the function that unregisters.
   */
  onDeleting(hook: ProjectDeletingHook): () => void {
    this.deleting.add(hook);
    return () => {
      this.deleting.delete(hook);
    };
  }

  async delete(id: string): Promise<void> {
    // a deleted project's keys stop working at once
    const alongside = async (tx: Tx) => {
      await this.apiKeys.revokeAllOfProject(tx, id);
      for (const hook of this.deleting) await hook(tx, id);
    };
    if (!(await this.projects.softDelete(id, alongside))) throw notFound('project');
    // every pod forgets the project and its keys now, not when their caches expire
    this.bus.publish('project', id);
  }
}

/** Headers a signature cannot travel in: every delivery would fail, or the gateway's own would be overwritten. */
function isGatewayOwnedHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower !== 'x-convoy-signature' && (RESERVED_HEADER_NAMES.has(lower) || lower.startsWith('proxy-') || OWNED_HEADERS.has(lower));
}

const OWNED_HEADERS = new Set(['content-type', 'content-encoding', 'user-agent', 'authorization']);

/** Gives signature versions without a uid or date one, so every version is addressable. */
function normaliseConfig(c: ProjectConfig): ProjectConfig {
  const now = new Date().toISOString();
  return {
    ...c,
    signature: {
      ...c.signature,
      versions: c.signature.versions.map((v) => ({ uid: v.uid || newId(), hash: v.hash, encoding: v.encoding, created_at: v.created_at || now })),
    },
  };
}
