import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { FaultScore, formatTable } from './checker';
import { Ctx, FAULTS, runFault } from './faults';
import { Infra } from './infra';
import { ApiClient, SentEvent } from './load';
import { Sinks } from './sink';

/**
 * The fault-injection suite (docs/reliability.md): starts a private PostgreSQL and Redis and
 * the api, worker and egress roles as real processes, runs F1–F12 against them one after
 * the other, prints the checker's table and exits non-zero on any loss, unexpected
 * receipt or broken invariant.
 *
 *   node dist/test/faults/run.js [--full] [--n <events in total>] [--only F1,F3] [--keep]
 */
interface Args {
  total: number;
  loadMs: number;
  only?: Set<string>;
  keep: boolean;
  budgetMs: number;
}

function parseArgs(argv: string[]): Args {
  const full = argv.includes('--full');
  const at = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = at('--only');
  return {
    total: Number(at('--n') ?? (full ? 10_000 : 2_000)),
    loadMs: full ? 30_000 : 12_000,
    only: only ? new Set(only.split(',').map((s) => s.trim().toUpperCase())) : undefined,
    keep: argv.includes('--keep'),
    budgetMs: full ? 40 * 60_000 : 9 * 60_000,
  };
}

function log(line: string): void {
  process.stdout.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const faults = FAULTS.filter((f) => !args.only || args.only.has(f.name));
  const infra = new Infra();
  const sinks = new Sinks(join(infra.dir, 'receipts.jsonl'), () => {
    const m = new Map<number, string>([[process.pid, 'harness']]);
    for (const role of ['api', 'worker', 'egress'] as const) {
      const pid = infra.pid(role);
      if (pid) m.set(pid, role);
    }
    return m;
  });

  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaning ??= (async () => {
      await sinks.stop().catch(() => undefined);
      await infra.close(args.keep).catch(() => undefined);
    })());
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`${sig}: cleaning up`);
    infra.killAllNow();
    try {
      execFileSync('runuser', ['-u', 'postgres', '--', '/usr/lib/postgresql/15/bin/pg_ctl', '-D', infra.pgDir, '-m', 'immediate', 'stop'], {
        stdio: 'ignore',
        timeout: 20_000,
      });
    } catch {
      // not running
    }
    if (!args.keep) rmSync(infra.dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // a hung run fails instead of holding CI forever
  const watchdog = setTimeout(() => {
    log(`run exceeded its budget of ${args.budgetMs / 60_000} min`);
    void cleanup().finally(() => process.exit(3));
  }, args.budgetMs);
  watchdog.unref();

  const started = Date.now();
  const scores: FaultScore[] = [];
  try {
    log(`private world in ${infra.dir}`);
    await infra.start();
    log(`postgres :${infra.pgPort}, redis :${infra.redisPort}`);
    await sinks.start();
    infra.sinkPorts = [sinks.port];
    await sinks.selfTest();
    await infra.startRole('egress');
    await infra.startRole('worker');
    await infra.startRole('api');
    log(`api :${infra.apiPort}, egress :${infra.egressPort}, sinks :${sinks.port}`);

    const ctx: Ctx = {
      infra,
      api: new ApiClient(infra.apiUrl, infra.adminKey),
      sinks,
      db: async () => {
        const c = new Client({ connectionString: infra.databaseUrl, application_name: 'faults-checker' });
        await c.connect();
        return c;
      },
      runId: `run${Date.now().toString(36)}`,
      n: Math.max(10, Math.round(args.total / faults.length)),
      loadMs: args.loadMs,
      allSent: new Map<string, SentEvent>(),
      log,
    };
    log(`${faults.length} faults × ${ctx.n} events (${ctx.n * faults.length} in total)`);
    for (const spec of faults) scores.push(await runFault(ctx, spec));
  } catch (e) {
    log(`the run broke: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    for (const role of ['api', 'worker', 'egress']) log(`--- ${role} log tail ---\n${infra.logTail(role)}`);
    await cleanup();
    return 2;
  }
  await cleanup();
  process.stdout.write(`\n${formatTable(scores)}\n\n`);
  for (const s of scores) {
    for (const n of s.notes) process.stdout.write(`${s.fault}: ${n}\n`);
    for (const f of s.failures) process.stdout.write(`${s.fault}: FAIL ${f}\n`);
  }
  const failed = scores.some((s) => s.failures.length > 0);
  process.stdout.write(`\n${failed ? 'FAILED' : 'PASSED'} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
