import type { Dispatcher } from 'undici';
import { ClientCertificate, createWebhookDispatcher, DispatcherConfig } from './dispatcher.provider';

/** Endpoints with a client certificate each get a pool; this many at most stay open. */
export const MAX_CLIENT_CERT_POOLS = 256;
/** Connections per endpoint pool: the endpoint's concurrency cap bounds what it needs. */
const CONNECTIONS_PER_POOL = 32;

interface Entry {
  version: string;
  dispatcher: Dispatcher;
}

/**
 * One keep-alive pool per endpoint that presents a client certificate: a TLS session
 * carries the certificate it was opened with, so these connections cannot be shared with
 * other endpoints. Least recently used pools are closed past the bound, and a pool is
 * replaced (the old one closed) when the endpoint's certificate changes.
 */
export class ClientCertDispatchers {
  private readonly pools = new Map<string, Entry>();

  constructor(
    private readonly config: DispatcherConfig,
    private readonly max = MAX_CLIENT_CERT_POOLS,
  ) {}

  /** `owner` is the endpoint id; `version` changes whenever its certificate does. */
  get(owner: string, version: string, certificate: ClientCertificate): Dispatcher {
    const hit = this.pools.get(owner);
    if (hit) {
      this.pools.delete(owner);
      if (hit.version === version) {
        this.pools.set(owner, hit);
        return hit.dispatcher;
      }
      void hit.dispatcher.close().catch(() => undefined);
    }
    const dispatcher = createWebhookDispatcher(this.config, certificate, CONNECTIONS_PER_POOL);
    this.pools.set(owner, { version, dispatcher });
    while (this.pools.size > this.max) {
      const [oldest, entry] = this.pools.entries().next().value as [string, Entry];
      this.pools.delete(oldest);
      void entry.dispatcher.close().catch(() => undefined);
    }
    return dispatcher;
  }

  get size(): number {
    return this.pools.size;
  }

  async close(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((e) => e.dispatcher.close().catch(() => undefined)));
  }
}
