import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { Tx } from '../../../libs/database/sql';
import { CARAVAN_CONFIG, CaravanConfig } from '../../../libs/config';
import { InvalidationBus } from '../../../libs/queue/invalidation-bus';
import { constantTimeEqual } from '../../common/crypto/secret-box';
import { badRequest, notFound } from '../../common/errors/domain-error';
import { PageRequest } from '../../common/http/pagination.dto';
import { newId } from '../../common/ids';
import { generateApiKey, hashSecret, parseApiKey } from './api-key-format';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { Principal } from './principal';
import { ReadCache } from '../../common/read-cache';

export interface IssuedKey {
  entity: ApiKeyEntity;
  key: string;
}

/**
 * How long a key lookup is cached per process. Revocations and project deletions are
 * broadcast (InvalidationBus), so every pod drops the key at once; the TTL only bounds
 * what a pod that missed the broadcast (Redis away) keeps serving.
 */
const CACHE_TTL_MS = 10_000;

@Injectable()
export class ApiKeysService implements OnModuleInit, OnModuleDestroy {
  private readonly cache = new ReadCache<ApiKeyEntity | null>(CACHE_TTL_MS);
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly keys: ApiKeysRepository,
    @Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig,
    private readonly bus: InvalidationBus,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.bus.on('api-key', (maskId) => this.cache.delete(maskId)),
      this.bus.on('project', (projectId) => {
        this.cache.deleteWhere((row) => row?.projectId === projectId);
      }),
    );
  }

  onModuleDestroy(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  /**
   * A new key for a project; `tx` is the transaction in which the caller holds the project
   * row (so a key can never be minted for a project being deleted). A project holds at most
   * PROJECT_MAX_API_KEYS live keys, and an expiry must be in the future.
   */
  async issueProjectKey(projectId: string, name: string, expiresAt: Date | null = null, tx?: Tx): Promise<IssuedKey> {
    if (expiresAt && !(expiresAt.getTime() > Date.now())) throw badRequest('invalid_expires_at', 'expires_at must be a date in the future');
    if ((await this.keys.countLiveForProject(projectId, tx)) >= this.config.projectMaxApiKeys) {
      throw badRequest('limit_reached', `a project has at most ${this.config.projectMaxApiKeys} API keys; revoke one first`);
    }
    const g = generateApiKey();
    const entity = await this.keys.insert(
      {
        id: newId(),
        projectId,
        keyType: 'project',
        name,
        maskId: g.maskId,
        hash: g.hash,
        salt: g.salt,
        expiresAt,
      },
      tx,
    );
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

  /** Revokes every stored instance key and issues a new one, in one transaction; every pod forgets the old ones. */
  async rotateInstanceKeys(): Promise<{ issued: IssuedKey; revoked: number }> {
    const g = generateApiKey();
    const row = { id: newId(), projectId: null, keyType: 'instance' as const, name: 'rotated', maskId: g.maskId, hash: g.hash, salt: g.salt, expiresAt: null };
    const { entity, revokedMasks } = await this.keys.replaceInstanceKeys(row);
    for (const mask of revokedMasks) this.bus.publish('api-key', mask);
    return { issued: { entity, key: g.key }, revoked: revokedMasks.length };
  }

  /** Revokes every stored instance key; returns how many. CARAVAN_ADMIN_KEY, if set, keeps working. */
  async revokeInstanceKeys(): Promise<number> {
    const masks = await this.keys.revokeInstanceKeys();
    for (const mask of masks) this.bus.publish('api-key', mask);
    return masks.length;
  }

  listProjectKeys(projectId: string, page: PageRequest): Promise<ApiKeyEntity[]> {
    return this.keys.listForProject(projectId, page);
  }

  /** Revokes every key of a project, inside the transaction that deletes it. */
  revokeAllOfProject(tx: Tx, projectId: string): Promise<void> {
    return this.keys.revokeAllOfProject(tx, projectId);
  }

  async revokeProjectKey(projectId: string, id: string): Promise<void> {
    const maskId = await this.keys.revoke(projectId, id);
    if (!maskId) throw notFound('api key');
    this.bus.publish('api-key', maskId);
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
    // a revocation while the read is in flight drops that read (ReadCache), so it cannot put the old row back
    return this.cache.get(maskId, () => this.keys.findLiveByMask(maskId));
  }
}
