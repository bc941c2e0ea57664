import type { ScenarioResult } from '../report-types';
import { s5 } from './backlog';
import type { Ctx } from './common';
import { s2, s3, s6 } from './delivery';
import { s1 } from './ingest';
import { s4 } from './noisy-neighbour';
import { s7 } from './soak';
import { s8 } from './hostile-tenant';
import { s9 } from './retention';

export type { Ctx } from './common';

export const SCENARIOS: Record<string, (ctx: Ctx) => Promise<ScenarioResult>> = { S1: s1, S2: s2, S3: s3, S4: s4, S5: s5, S6: s6, S7: s7, S8: s8, S9: s9 };
