import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { redisClient, redisInfo } from './lib/children';
import { createDatabase, dropDatabase, pgVersion, statementsAvailable } from './lib/pg';
import { FULL, Profile, QUICK } from './profile';
import { consoleTable, Machine, RunReport, writeReport } from './report';
import type { ScenarioResult } from './report-types';
import { Ctx, SCENARIOS } from './scenarios';

const USAGE = `Usage: npm run bench -- [--quick] [--scenario S1,S2,...] [--soak] [--soak-minutes N] [--soak-rate N] [--soak-systems caravan,baseline] [--out DIR] [--caravan-dir DIR] [--caravan-env K=V,...] [--final-wait-s N]

Runs each scenario against Caravan (roles as child processes from dist/) and against the
baseline pipeline in test/bench/baseline, and prints our figure, the baseline's and the
ratio. --quick runs seconds per scenario and exits non-zero only on errors, loss or a
ratio far below target. S7 (soak) runs only with --soak, on a PostgreSQL server of its own
with autovacuum on, at --soak-rate (default half the S2 knee). --caravan-dir runs the
Caravan build of another checkout (its dist/), e.g. a clean export of a commit;
--caravan-env passes extra variables to Caravan's roles (e.g. ENDPOINT_MAX_CONCURRENCY=0);
--final-wait-s bounds the wait for late deliveries after the load (quick 30, full 120).`;

function parseArgs(argv: string[]): { profile: Profile; scenarios: string[]; out: string; caravanDir: string; caravanEnv: Record<string, string> } {
  let quick = false;
  let soak = false;
  let soakMinutes: number | undefined;
  let soakRate: number | undefined;
  let soakSystems: ('caravan' | 'baseline')[] | undefined;
  let finalWaitS: number | undefined;
  let only: string[] | undefined;
  let out = 'bench/results';
  let caravanDir = process.cwd();
  const caravanEnv: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--soak') soak = true;
    else if (a === '--soak-minutes') soakMinutes = Number(argv[++i]);
    else if (a === '--soak-rate') soakRate = Number(argv[++i]);
    else if (a === '--soak-systems') {
      soakSystems = argv[++i].split(',').map((x) => x.trim()) as ('caravan' | 'baseline')[];
      if (!soakSystems.length || soakSystems.some((x) => x !== 'caravan' && x !== 'baseline'))
        throw new Error(`--soak-systems expects caravan and/or baseline`);
    } else if (a === '--final-wait-s') finalWaitS = Number(argv[++i]);
    else if (a === '--scenario') only = argv[++i].split(',').map((s) => s.trim().toUpperCase());
    else if (a === '--out') out = argv[++i];
    else if (a === '--caravan-dir') caravanDir = resolve(argv[++i]);
    else if (a === '--caravan-env') {
      for (const kv of argv[++i].split(',')) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new Error(`--caravan-env expects K=V, got ${kv}`);
        caravanEnv[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  const base = quick ? QUICK : FULL;
  const profile: Profile = {
    ...base,
    finalDrainMs: finalWaitS !== undefined ? finalWaitS * 1000 : base.finalDrainMs,
    s7: { ...base.s7, minutes: soakMinutes ?? base.s7.minutes, rate: soakRate ?? base.s7.rate, systems: soakSystems ?? base.s7.systems },
  };
  const all = ['S1', 'S2', 'S3', 'S4', 'S5', 'S6', 'S8', 'S9', ...(soak ? ['S7'] : [])];
  const scenarios = only ?? all;
  for (const s of scenarios) if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s}`);
  return { profile, scenarios, out, caravanDir, caravanEnv };
}

async function machine(statements: string, env: Record<string, string>): Promise<Machine> {
  const r = redisClient();
  try {
    return {
      loadavg: loadavg().map((l) => Math.round(l * 100) / 100),
      caravanEnv: env,
      nproc: cpus().length,
      cpu: cpus()[0]?.model ?? '?',
      memGb: totalmem() / 2 ** 30,
      node: process.version,
      postgres: await pgVersion(),
      redis: (await redisInfo(r)).version,
      pgStatements: statements,
    };
  } finally {
    r.disconnect();
  }
}

async function main(): Promise<number> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) throw new Error(`Node ${process.version}: run through npm (which uses the project's Node 24) or npx node`);
  const { profile, scenarios, out, caravanDir, caravanEnv } = parseArgs(process.argv.slice(2));
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const log = (s: string): void => {
    process.stdout.write(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}\n`);
  };
  await createDatabase('bench_probe');
  const st = await statementsAvailable('bench_probe');
  await dropDatabase('bench_probe');
  const ctx: Ctx = { profile, caravanDir, caravanEnv, statements: st.ok, log, memo: {} };
  if (!st.ok) log(st.reason);
  log(
    `load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (other work on the machine skews every figure)`,
  );
  const results: ScenarioResult[] = [];
  const failures: string[] = [];
  for (const id of scenarios) {
    log(`${id} ...`);
    try {
      const r = await SCENARIOS[id](ctx);
      results.push(r);
      failures.push(...r.failures);
      if (profile.quick)
        failures.push(
          ...r.rows.filter((x) => x.hardFail).map((x) => `${x.scenario} ${x.metric}: ratio ${x.ratio.toFixed(2)} is far below target (${x.target})`),
        );
      log(`${id} done\n${consoleTable(r.rows)}\n`);
    } catch (e) {
      failures.push(`${id} errored: ${(e as Error).stack ?? String(e)}`);
      log(`${id} errored: ${(e as Error).message}`);
    }
  }
  const rep: RunReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: profile.quick ? 'quick' : 'full',
    machine: await machine(st.ok ? 'pg_stat_statements' : st.reason, caravanEnv),
    scenarios: results,
    failures,
  };
  const files = writeReport(out, rep);
  process.stdout.write(`\n${consoleTable(results.flatMap((r) => r.rows))}\n\nwrote ${files.join(', ')}\n`);
  if (failures.length) {
    process.stdout.write(`\nFAILED:\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(2);
  },
);
