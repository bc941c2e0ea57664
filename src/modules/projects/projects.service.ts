import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InvalidationBus } from '../../../libs/queue/invalidation-bus';
import { ApiKeysService, IssuedKey } from '../auth';
import { notFound } from '../../common/errors/domain-error';
import { PageRequest } from '../../common/http/pagination.dto';
import { newId } from '../../common/ids';
import { CreateProjectDto, UpdateProjectDto } from './dto/project.dto';
import { defaultProjectConfig, mergeProjectConfig, ProjectConfig, ProjectConfigPatch } from './project-config';
import { ProjectEntity } from './project.entity';
import { ProjectsRepository } from './projects.repository';

interface CachedProject {
  at: number;
  project: ProjectEntity | null;
}

/** Project reads are on every hot path; a short per-process cache keeps them off PostgreSQL. */
const CACHE_TTL_MS = 5_000;

@Injectable()
export class ProjectsService implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new Map<string, CachedProject>();
  private unsubscribe?: () => void;

  constructor(
    private readonly projects: ProjectsRepository,
    private readonly apiKeys: ApiKeysService,
    private readonly bus: InvalidationBus,
  ) {}

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
    const config = normaliseConfig(mergeProjectConfig(defaultProjectConfig(now, newId()), dto.config as ProjectConfigPatch));
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
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < CACHE_TTL_MS) {
      if (!hit.project) throw notFound('project');
      return hit.project;
    }
    const project = await this.projects.findLive(id);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { at: Date.now(), project });
    if (!project) throw notFound('project');
    return project;
  }

  list(page: PageRequest, onlyId?: string): Promise<ProjectEntity[]> {
    return this.projects.list(page, onlyId);
  }

  async update(id: string, dto: UpdateProjectDto): Promise<ProjectEntity> {
    const current = await this.get(id);
    const config = dto.config ? normaliseConfig(mergeProjectConfig(current.config, dto.config as ProjectConfigPatch)) : current.config;
    await this.projects.update(id, { name: dto.name ?? current.name, logoUrl: dto.logo_url ?? current.logoUrl, config });
    this.bus.publish('project', id);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    // a deleted project's keys stop working at once
    if (!(await this.projects.softDelete(id, (tx) => this.apiKeys.revokeAllOfProject(tx, id)))) throw notFound('project');
    // every pod forgets the project and its keys now, not when their caches expire
    this.bus.publish('project', id);
  }
}

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
