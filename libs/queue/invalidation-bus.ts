import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { CARAVAN_CONFIG, CaravanConfig } from '../config';
import { dependencyLog, isConnectionError, nestWriter } from '../observability/dependency-log';
import { createRedisClient } from './redis-connection';
import { closeRedis } from './redis-options';

export type InvalidationTopic = 'project' | 'api-key' | 'source';
export type InvalidationHandler = (id: string) => void;

const CHANNEL = 'invalidate';
/** How long a broadcast waits for the publishing connection, and a shutdown for broadcasts still going out. */
const SEND_WAIT_MS = 3000;

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
  /** broadcasts on their way out */
  private readonly sending = new Set<Promise<void>>();
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
    // a CLI command (key rotation, revocation) publishes and exits at once: let those go out first
    if (this.sending.size > 0) await Promise.race([Promise.allSettled([...this.sending]), new Promise((r) => setTimeout(r, SEND_WAIT_MS))]);
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
    const sent: Promise<void> = this.send(message).finally(() => this.sending.delete(sent));
    this.sending.add(sent);
  }

  /** Publishes, waiting briefly for a connection that is still being made (a process just started). */
  private async send(message: string): Promise<void> {
    const pub = this.pub;
    if (!pub) return;
    try {
      if (pub.status !== 'ready') {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => {
            pub.off('ready', ready);
            reject(new Error(`Redis not connected within ${SEND_WAIT_MS} ms`));
          }, SEND_WAIT_MS);
          const ready = (): void => {
            clearTimeout(timer);
            resolve();
          };
          pub.once('ready', ready);
        });
      }
      await pub.publish(this.channel, message);
    } catch (e) {
      this.logger.warn(`invalidation not broadcast: ${(e as Error).message}`);
    }
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
