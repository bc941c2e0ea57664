import { Injectable } from '@nestjs/common';
import type { RoutingSubscription } from './routing';

interface CachedRouting {
  at: number;
  rows: RoutingSubscription[];
}

/** Routing reads a project's subscriptions per event; a short per-process cache keeps them off PostgreSQL. */
const ROUTING_CACHE_TTL_MS = 2_000;
const ROUTING_CACHE_MAX = 10_000;

/** The per-process routing snapshots of projects; every write to subscriptions or their filters clears its project's. */
@Injectable()
export class SubscriptionRoutingCache {
  private readonly byProject = new Map<string, CachedRouting>();

  get(projectId: string): RoutingSubscription[] | undefined {
    const hit = this.byProject.get(projectId);
    return hit && Date.now() - hit.at < ROUTING_CACHE_TTL_MS ? hit.rows : undefined;
  }

  set(projectId: string, rows: RoutingSubscription[], at: number): void {
    if (this.byProject.size >= ROUTING_CACHE_MAX) this.byProject.clear();
    this.byProject.set(projectId, { at, rows });
  }

  clear(projectId?: string): void {
    if (projectId === undefined) this.byProject.clear();
    else this.byProject.delete(projectId);
  }
}
