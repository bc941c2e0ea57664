/** A WAL position (`16/B374D848`) as a number that compares. */
export function parseLsn(text: string): bigint {
  const [hi, lo] = text.split('/');
  if (hi === undefined || lo === undefined || !/^[0-9A-Fa-f]+$/.test(hi) || !/^[0-9A-Fa-f]+$/.test(lo)) throw new Error(`not a WAL position: "${text}"`);
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

interface Sample {
  at: number;
  lsn: bigint;
}

/**
 * How stale a replica is, measured against the primary's own WAL positions rather than
 * `now() - pg_last_xact_replay_timestamp()`, which grows on an idle primary although the
 * replica is caught up, and says nothing when the replica lost its primary.
 *
 * The probe samples the primary's current WAL position every round, then asks the replica
 * how far it has replayed. The newest sample whose position the replica has replayed is the
 * latest moment the replica is known to mirror: its staleness is at most the time since.
 * An idle primary keeps its position, so a caught-up replica reads as current.
 */
export class PrimaryWalHistory {
  private readonly samples: Sample[] = [];

  /** @param keepMs samples older than this are dropped (keep a little more than the lag bound) */
  constructor(
    private readonly keepMs: number,
    private readonly maxSamples = 10_000,
  ) {}

  record(at: number, lsn: bigint): void {
    this.samples.push({ at, lsn });
    while (this.samples.length > this.maxSamples || (this.samples.length > 1 && this.samples[0].at < at - this.keepMs)) this.samples.shift();
  }

  get empty(): boolean {
    return this.samples.length === 0;
  }

  /**
   * Milliseconds the replica may be behind at `now`, or undefined when it is behind every
   * sample kept (so more than `keepMs`, as far as the history can tell).
   */
  lagMs(replay: bigint, now: number): number | undefined {
    let caughtUpTo: number | undefined;
    for (let i = this.samples.length - 1; i >= 0; i--) {
      if (this.samples[i].lsn <= replay) {
        caughtUpTo = i;
        break;
      }
    }
    if (caughtUpTo === undefined) return undefined;
    return Math.max(0, now - this.samples[caughtUpTo].at);
  }
}
