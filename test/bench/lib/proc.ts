import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux we run on. */
const CLK_TCK = 100;

function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may contain spaces: fields start after the last ')'
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export type PidGroups = Record<string, number[]>;

export interface GroupUsage {
  cpuMs: number;
  rssPeakMb: number;
  rssLastMb: number;
}

/**
 * Samples CPU time and RSS of groups of processes (api, worker, postgres backends of the
 * scenario's database, redis) from /proc while a phase runs. CPU is the difference of
 * utime+stime between start and stop; a process first seen mid-phase counts from zero.
 */
export class ProcSampler {
  private first = new Map<number, number>();
  private last = new Map<number, number>();
  private groupOf = new Map<number, string>();
  private peak: Record<string, number> = {};
  private lastRss: Record<string, number> = {};
  private timer?: NodeJS.Timeout;
  private sampling?: Promise<void>;

  constructor(
    private readonly groups: () => Promise<PidGroups>,
    private readonly everyMs = 500,
  ) {}

  async start(): Promise<void> {
    await this.sample(true);
    this.timer = setInterval(() => {
      if (!this.sampling) this.sampling = this.sample(false).finally(() => (this.sampling = undefined));
    }, this.everyMs);
  }

  async stop(): Promise<Record<string, GroupUsage>> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample(false);
    const out: Record<string, GroupUsage> = {};
    const cpu: Record<string, number> = {};
    for (const [pid, end] of this.last) {
      const g = this.groupOf.get(pid)!;
      cpu[g] = (cpu[g] ?? 0) + (end - (this.first.get(pid) ?? 0));
    }
    for (const g of new Set([...Object.keys(cpu), ...Object.keys(this.peak)])) {
      out[g] = { cpuMs: ((cpu[g] ?? 0) * 1000) / CLK_TCK, rssPeakMb: (this.peak[g] ?? 0) / 1048576, rssLastMb: (this.lastRss[g] ?? 0) / 1048576 };
    }
    return out;
  }

  private async sample(initial: boolean): Promise<void> {
    let groups: PidGroups;
    try {
      groups = await this.groups();
    } catch {
      return;
    }
    for (const [g, pids] of Object.entries(groups)) {
      let rss = 0;
      for (const pid of pids) {
        const t = cpuTicks(pid);
        if (t === undefined) continue;
        this.groupOf.set(pid, g);
        if (initial) this.first.set(pid, t);
        else if (!this.first.has(pid)) this.first.set(pid, 0);
        this.last.set(pid, t);
        rss += rssBytes(pid);
      }
      this.peak[g] = Math.max(this.peak[g] ?? 0, rss);
      this.lastRss[g] = rss;
    }
  }
}
