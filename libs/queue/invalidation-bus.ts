import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { CARAVAN_CONFIG, CaravanConfig } from '../config';
import { dependencyLog, isConnectionError, nestWriter } from '../observability/dependency-log';
import { createRedisClient } from './redis-connection';
import { closeRedis } from './redis-options';

export type InvalidationTopic = 'project' | 'api-key' | 'source';
export type InvalidationHandler = (id: string) => void;

const CHANNEL = 'invalidate';

/**
 * Tells every pod at once that a cached record changed (a project deleted, an API key
 * revoked), so per-process caches drop it instead of serving it until their TTL. Handlers
 * on this pod run synchronously on publish; other pods hear it through Redis pub/sub.
 * When Redis is away the message is lost and the caches' short TTLs remain the bound.
 */
@Injectable()
export class InvalidationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(InvalidationBus.name);
  private readonly handlers = new Map<InvalidationTopic, Set<InvalidationHandler>>();
  private sub?: Redis;
  private pub?: Redis;
  private readonly channel: string;

  constructor(@Inject(CARAVAN_CONFIG) private readonly config: CaravanConfig) {
    this.channel = `${config.redisPrefix}:${CHANNEL}`;
  }

  onModuleInit(): void {
    const opts = { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 3000, lazyConnect: false };
    this.pub = createRedisClient(this.config, opts);
    this.sub = createRedisClient(this.config, { ...opts, enableOfflineQueue: true });
    for (const c of [this.pub, this.sub]) c.on('error', () => undefined);
    this.sub.on('message', (_channel: string, message: string) => this.deliver(message));
    this.sub.subscribe(this.channel).catch((e: unknown) => {
      if (isConnectionError(e)) dependencyLog('redis').failed(this.config.redisUrl, e, nestWriter(this.logger));
      else this.logger.warn(`cannot subscribe to invalidations: ${(e as Error).message}`);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    for (const c of [this.sub, this.pub]) {
      if (c) await closeRedis(c);
    }
  }

  on(topic: InvalidationTopic, handler: InvalidationHandler): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Drops `id` from every pod's caches of `topic`: here at once, elsewhere within a round trip. */
  publish(topic: InvalidationTopic, id: string): void {
    const message = JSON.stringify({ topic, id });
    this.deliver(message);
    this.pub?.publish(this.channel, message).catch((e: unknown) => this.logger.warn(`invalidation not broadcast: ${(e as Error).message}`));
  }

  private deliver(message: string): void {
    let parsed: { topic?: InvalidationTopic; id?: string };
    try {
      parsed = JSON.parse(message) as { topic?: InvalidationTopic; id?: string };
    } catch {
      return;
    }
    if (!parsed.topic || typeof parsed.id !== 'string') return;
    for (const h of this.handlers.get(parsed.topic) ?? []) h(parsed.id);
  }
}

@Global()
@Module({ providers: [InvalidationBus], exports: [InvalidationBus] })
export class InvalidationModule {}
