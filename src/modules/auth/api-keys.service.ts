import { Inject, Injectable } from '@nestjs/common';
import type { Tx } from '../../../libs/database/sql';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { constantTimeEqual } from '../../common/crypto/secret-box';
import { notFound } from '../../common/errors/domain-error';
import { PageRequest } from '../../common/http/pagination.dto';
import { newId } from '../../common/ids';
import { generateApiKey, hashSecret, parseApiKey } from './api-key-format';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { Principal } from './principal';

export interface IssuedKey {
  entity: ApiKeyEntity;
  key: string;
}

interface CachedKey {
  at: number;
  row: ApiKeyEntity | null;
}

/** How long a key lookup is cached per process; revocation reaches every pod within it. */
const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 10_000;

@Injectable()
export class ApiKeysService {
  private readonly cache = new Map<string, CachedKey>();

  constructor(
    private readonly keys: ApiKeysRepository,
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
  ) {}

  async issueProjectKey(projectId: string, name: string, expiresAt: Date | null = null): Promise<IssuedKey> {
    const g = generateApiKey();
    const entity = await this.keys.insert({
      id: newId(),
      projectId,
      keyType: 'project',
      name,
      maskId: g.maskId,
      hash: g.hash,
      salt: g.salt,
      expiresAt,
    });
    return { entity, key: g.key };
  }

  /** Creates an instance admin key unless one exists; returns it only when created. */
  async bootstrapInstanceKey(): Promise<IssuedKey | undefined> {
    if ((await this.keys.countLiveInstanceKeys()) > 0) return undefined;
    const g = generateApiKey();
    const entity = await this.keys.insert({
      id: newId(),
      projectId: null,
      keyType: 'instance',
      name: 'bootstrap',
      maskId: g.maskId,
      hash: g.hash,
      salt: g.salt,
      expiresAt: null,
    });
    return { entity, key: g.key };
  }

  listProjectKeys(projectId: string, page: PageRequest): Promise<ApiKeyEntity[]> {
    return this.keys.listForProject(projectId, page);
  }

  /** Revokes every key of a project, inside the transaction that deletes it. */
  revokeAllOfProject(tx: Tx, projectId: string): Promise<void> {
    return this.keys.revokeAllOfProject(tx, projectId);
  }

  async revokeProjectKey(projectId: string, id: string): Promise<void> {
    if (!(await this.keys.revoke(projectId, id))) throw notFound('api key');
    this.cache.clear();
  }

  /** Resolves a bearer token to a principal, or undefined when it is not valid. */
  async authenticate(token: string): Promise<Principal | undefined> {
    if (this.config.adminKey && constantTimeEqual(token, this.config.adminKey)) return { kind: 'instance', keyId: 'env' };
    const parsed = parseApiKey(token);
    if (!parsed) return undefined;
    const row = await this.lookup(parsed.maskId);
    if (!row || row.deletedAt) return undefined;
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return undefined;
    if (!constantTimeEqual(hashSecret(parsed.secret, row.salt), row.hash)) return undefined;
    if (row.keyType === 'instance') return { kind: 'instance', keyId: row.id };
    if (!row.projectId) return undefined;
    return { kind: 'project', projectId: row.projectId, keyId: row.id };
  }

  private async lookup(maskId: string): Promise<ApiKeyEntity | null> {
    const hit = this.cache.get(maskId);
    const now = Date.now();
    if (hit && now - hit.at < CACHE_TTL_MS) return hit.row;
    const row = await this.keys.findLiveByMask(maskId);
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(maskId, { at: now, row });
    return row;
  }
}
