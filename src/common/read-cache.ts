/**
 * A short-lived per-process cache of rows read on hot paths, with one read in flight per
 * key: when an entry expires under load, the deliveries that want it wait for the same
 * read instead of each sending its own (measured: a 2 s cache still read the endpoint
 * about every 100 ms in a drain of 8,000 deliveries). A key deleted while its read is in flight is
 * not filled by that read, so an invalidation is never undone by an older answer.
 */
export class ReadCache<T> {
  private readonly entries = new Map<string, { at: number; value: T }>();
  private readonly inFlight = new Map<string, Promise<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached value, or the one `load` reads (shared with every caller of the same key meanwhile). */
  get(key: string, load: () => Promise<T>, fresh = false): Promise<T> {
    if (!fresh) {
      const hit = this.entries.get(key);
      if (hit && Date.now() - hit.at < this.ttlMs) return Promise.resolve(hit.value);
      const pending = this.inFlight.get(key);
      if (pending) return pending;
    }
    const at = Date.now();
    const read = load().then(
      (value) => {
        if (this.inFlight.get(key) === read) {
          this.inFlight.delete(key);
          if (this.entries.size >= this.maxEntries) this.entries.clear();
          this.entries.set(key, { at, value });
        }
        return value;
      },
      (e: unknown) => {
        if (this.inFlight.get(key) === read) this.inFlight.delete(key);
        throw e;
      },
    );
    this.inFlight.set(key, read);
    return read;
  }

  delete(key: string): void {
    this.entries.delete(key);
    this.inFlight.delete(key);
  }

  /** Drops the entries whose value matches, and every read in flight (their values are not known yet). */
  deleteWhere(matches: (value: T) => boolean): void {
    for (const [key, e] of this.entries) if (matches(e.value)) this.entries.delete(key);
    this.inFlight.clear();
  }

  clear(): void {
    this.entries.clear();
    this.inFlight.clear();
  }
}
