/**
 * Shares one statement between concurrent callers, as ingest's group commit does: a
 * caller alone goes out at once; while `maxInFlight` batches are running, new callers
 * queue and the next batch takes them all (up to `maxBatch`). So the cost per item falls
 * as load rises, and a quiet system pays no wait.
 *
 * `flush` answers one result per item, in order. When a batch of several fails with an
 * error `retryAlone` accepts (a deadlock with another statement, one bad row), each of its
 * items is tried again on its own, so only a failing item's caller sees the error; any
 * other failure (the database away, a timeout) fails the whole batch at once.
 */
export class GroupCommit<I, O> {
  private queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly opts: {
      maxBatch: number;
      maxInFlight: number;
      /** items with the same key never share a batch (two updates of one row in one statement) */
      key?: (item: I) => string;
      retryAlone?: (e: unknown) => boolean;
    },
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.opts.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private take(): typeof this.queue {
    const key = this.opts.key;
    if (!key) return this.queue.splice(0, this.opts.maxBatch);
    const batch: typeof this.queue = [];
    const rest: typeof this.queue = [];
    const seen = new Set<string>();
    for (const p of this.queue) {
      const k = key(p.item);
      if (batch.length < this.opts.maxBatch && !seen.has(k)) {
        seen.add(k);
        batch.push(p);
      } else rest.push(p);
    }
    this.queue = rest;
    return batch;
  }

  private async run(batch: typeof this.queue): Promise<void> {
    try {
      const out = await this.flush(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(out[i]));
    } catch (e) {
      if (batch.length === 1 || !this.opts.retryAlone?.(e)) {
        for (const p of batch) p.reject(e);
        return;
      }
      for (const p of batch) {
        try {
          p.resolve((await this.flush([p.item]))[0]);
        } catch (err) {
          p.reject(err);
        }
      }
    }
  }
}
