import { Injectable } from '@nestjs/common';
import type { Tx } from '../../../libs/database/sql';

/** Runs inside the transaction that deletes a source; a failure aborts the deletion. */
export type SourceDeletingHook = (tx: Tx, sourceId: string) => Promise<void>;

/**
 * Lets modules that own rows pointing at sources (subscriptions) take part in a source's
 * deletion without sources depending on them.
 */
@Injectable()
export class SourceEvents {
  private readonly deleting = new Set<SourceDeletingHook>();

  /** Returns the function that unregisters. */
  onDeleting(hook: SourceDeletingHook): () => void {
    this.deleting.add(hook);
    return () => {
      this.deleting.delete(hook);
    };
  }

  async runDeleting(tx: Tx, sourceId: string): Promise<void> {
    for (const hook of this.deleting) await hook(tx, sourceId);
  }
}
