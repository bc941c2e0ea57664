/** How long and how hard each scenario runs: seconds in quick (CI) mode, minutes in full. */
export interface Profile {
  quick: boolean;
  workerConcurrency: number;
  s1: { closedMs: number; concurrency: number; runs: number; pacedRate: number; pacedMs: number };
  s2: { rates: number[]; stepMs: number; graceMs: number };
  s3: { rates: number[]; stepMs: number; graceMs: number; endpoints: number };
  s4: { stepMs: number; graceMs: number; timeoutS: number };
  s8: { normalRate: number; hostileRate: number; stepMs: number; leadMs: number; graceMs: number; timeoutS: number };
  s5: { backlog: number; freshRate: number; freshMs: number; maxDrainMs: number };
  /** rate 0 = half the S2 knee of this invocation; systems: which pipelines soak */
  s7: { minutes: number; windowMs: number; rate: number; systems: ('caravan' | 'baseline')[] };
  s9: {
    events: number;
    queries: number;
    closedMs: number;
    pacedRate: number;
    pacedMs: number;
    maxDrainMs: number;
    maxPurgeMs: number;
    purgeLeadMs: number;
    sharedBuffers: string;
  };
  finalDrainMs: number;
  /** runs of a ladder step that fell behind, the majority deciding (see ladder) */
  kneeRepeats: number;
  /** pause before reading PostgreSQL's statistics (0 = skip per-event PG counts) */
  pgSettleMs: number;
}

export const FULL: Profile = {
  quick: false,
  workerConcurrency: 50,
  s1: { closedMs: 10_000, concurrency: 64, runs: 3, pacedRate: 1000, pacedMs: 10_000 },
  s2: { rates: [100, 300, 500, 700, 1000], stepMs: 10_000, graceMs: 3_000 },
  s3: { rates: [20, 50, 80, 120], stepMs: 10_000, graceMs: 3_000, endpoints: 10 },
  s4: { stepMs: 15_000, graceMs: 3_000, timeoutS: 2 },
  s8: { normalRate: 20, hostileRate: 100, stepMs: 15_000, leadMs: 3_000, graceMs: 3_000, timeoutS: 10 },
  s5: { backlog: 100_000, freshRate: 50, freshMs: 30_000, maxDrainMs: 600_000 },
  s7: { minutes: 30, windowMs: 60_000, rate: 0, systems: ['caravan', 'baseline'] },
  s9: {
    events: 5_000_000,
    queries: 200,
    closedMs: 10_000,
    pacedRate: 200,
    pacedMs: 30_000,
    maxDrainMs: 180_000,
    maxPurgeMs: 1_800_000,
    purgeLeadMs: 3_000,
    sharedBuffers: '512MB',
  },
  finalDrainMs: 120_000,
  kneeRepeats: 3,
  pgSettleMs: 11_000,
};

export const QUICK: Profile = {
  quick: true,
  workerConcurrency: 50,
  s1: { closedMs: 2_000, concurrency: 64, runs: 1, pacedRate: 1000, pacedMs: 2_000 },
  s2: { rates: [300, 700], stepMs: 2_000, graceMs: 1_500 },
  s3: { rates: [30, 60], stepMs: 2_000, graceMs: 1_500, endpoints: 10 },
  s4: { stepMs: 2_000, graceMs: 1_500, timeoutS: 1 },
  s8: { normalRate: 20, hostileRate: 60, stepMs: 3_000, leadMs: 1_500, graceMs: 1_500, timeoutS: 5 },
  s5: { backlog: 1_500, freshRate: 50, freshMs: 2_000, maxDrainMs: 45_000 },
  s7: { minutes: 2, windowMs: 30_000, rate: 0, systems: ['caravan', 'baseline'] },
  s9: {
    events: 30_000,
    queries: 40,
    closedMs: 1_000,
    pacedRate: 100,
    pacedMs: 3_000,
    maxDrainMs: 30_000,
    maxPurgeMs: 60_000,
    purgeLeadMs: 1_500,
    sharedBuffers: '128MB',
  },
  finalDrainMs: 30_000,
  kneeRepeats: 1,
  pgSettleMs: 0,
};
