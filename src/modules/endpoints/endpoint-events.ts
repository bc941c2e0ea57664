import { Injectable, Logger } from '@nestjs/common';
import type { Tx } from '../../../libs/database/sql';
import type { EndpointStatus } from './endpoint-status';
import type { EndpointEntity } from './endpoint.entity';

export interface EndpointChange {
  type: 'endpoint.created' | 'endpoint.updated' | 'endpoint.deleted' | 'endpoint.status_changed';
  projectId: string;
  endpointId: string;
  from?: EndpointStatus;
  to?: EndpointStatus;
  reason?: string;
}

export type EndpointListener = (change: EndpointChange) => void | Promise<void>;

/** Runs inside the transaction that deletes an endpoint; a failure aborts the deletion. */
export type EndpointDeletingHook = (tx: Tx, endpointId: string) => Promise<void>;

/** A status change as it is written: the row before and after, and why. */
export interface EndpointStatusChanging {
  before: EndpointEntity;
  after: EndpointEntity;
  reason: string;
}

/** Runs inside the transaction that changes an endpoint's status; a failure aborts the change. */
export type EndpointStatusChangingHook = (tx: Tx, change: EndpointStatusChanging) => Promise<void>;

/**
 * In-process notifications after an endpoint change is committed, so modules downstream
 * (deliveries) can react, e.g. release held deliveries when an endpoint is resumed,
 * without endpoints depending on them. Best effort: PostgreSQL stays the record, so a
 * listener that misses a change must still converge from the database.
 */
@Injectable()
export class EndpointEvents {
  private readonly logger = new Logger(EndpointEvents.name);
  private readonly listeners = new Set<EndpointListener>();
  private readonly deleting = new Set<EndpointDeletingHook>();
  private readonly statusChanging = new Set<EndpointStatusChangingHook>();

  /**
   * For modules downstream that own rows pointing at endpoints (subscriptions): their own
   * statement joins the deletion's transaction, so no live row outlives its endpoint.
   * Returns the function that unregisters.
   */
  onDeleting(hook: EndpointDeletingHook): () => void {
    this.deleting.add(hook);
    return () => {
      this.deleting.delete(hook);
    };
  }

  async runDeleting(tx: Tx, endpointId: string): Promise<void> {
    for (const hook of this.deleting) await hook(tx, endpointId);
  }

  /**
   * For modules downstream that must not lose a status change (the notifications outbox):
   * their own statement joins the transaction that flips the status, so the change and
   * what follows from it commit together. Returns the function that unregisters.
   */
  onStatusChanging(hook: EndpointStatusChangingHook): () => void {
    this.statusChanging.add(hook);
    return () => {
      this.statusChanging.delete(hook);
    };
  }

  async runStatusChanging(tx: Tx, change: EndpointStatusChanging): Promise<void> {
    for (const hook of this.statusChanging) await hook(tx, change);
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: EndpointListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(change: EndpointChange): void {
    for (const listener of this.listeners) {
      try {
        const out = listener(change);
        if (out instanceof Promise) out.catch((err: unknown) => this.logger.error({ err, change }, 'endpoint listener failed'));
      } catch (err) {
        this.logger.error({ err, change }, 'endpoint listener failed');
      }
    }
  }
}
