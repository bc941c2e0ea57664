import 'reflect-metadata';
import './app/tracing-preload';
import { assertNodeVersion, loadConfig } from '../libs/config';
import { ensureDatabase, runMigrations } from '../libs/database';
import { DependencyUnavailableError, isConnectionError } from '../libs/observability/dependency-log';
import { reportFatal } from './app/fatal';
import { bootstrapInstance, revokeAdminKeys, rotateAdminKey } from './app/bootstrap.command';
import { announceListening } from './app/listening';
import { Started, stopOnSignal } from './app/signals';

const HELP = `Usage: caravan <command>

Commands:
  start       migrate, bootstrap, then run api + worker + egress in one process
  api         run the REST API (PORT)
  worker      run delivery workers, routing and the sweeper
  egress      run the egress CONNECT proxy (EGRESS_PORT)
  migrate     create the database if missing and apply migrations, then exit
  bootstrap   create the instance admin key (printed once) unless CARAVAN_ADMIN_KEY is set
  admin-key rotate   revoke every stored instance admin key and print a new one (once)
  admin-key revoke   revoke every stored instance admin key (CARAVAN_ADMIN_KEY keeps working)
  retention run [--dry-run]   remove what is older than the retention policy now (dry: print what it would remove)
  openapi     print the OpenAPI document generated from the code
  help        this text
`;

function log(line: string): void {
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), role: 'cli', msg: line })}\n`);
}

async function migrate(): Promise<void> {
  const config = loadConfig();
  try {
    if (await ensureDatabase(config.databaseUrl)) log('created database');
    const ran = await runMigrations(config, log);
    log(ran.length ? `applied ${ran.length} migration(s)` : 'database schema is up to date');
  } catch (e) {
    throw isConnectionError(e) ? new DependencyUnavailableError('postgres', config.databaseUrl, e) : e;
  }
}

async function bootstrap(): Promise<void> {
  const result = await bootstrapInstance(loadConfig());
  if (result.fromEnv) log('instance admin key comes from CARAVAN_ADMIN_KEY');
  else if (result.created && result.key) {
    process.stdout.write(`\nInstance admin key (shown once, keep it safe):\n\n  ${result.key}\n\n`);
  } else log('an instance admin key exists already (set CARAVAN_ADMIN_KEY to use your own)');
}

/** One line naming every port the process opened, then run until a signal (stopping the last started first). */
function up(role: string, started: Started[]): void {
  announceListening(
    role,
    started.flatMap((s) => s.listeners),
  );
  stopOnSignal(started.map((s) => s.stop));
}

export async function main(argv: string[]): Promise<void> {
  const command = argv[0] ?? 'help';
  assertNodeVersion();
  switch (command) {
    case 'migrate':
      return migrate();
    case 'admin-key': {
      const config = loadConfig();
      if (argv[1] === 'rotate') {
        const r = await rotateAdminKey(config);
        process.stdout.write(`\nRevoked ${r.revoked} instance admin key(s). New instance admin key (shown once, keep it safe):\n\n  ${r.key}\n\n`);
        return;
      }
      if (argv[1] === 'revoke') {
        log(`revoked ${await revokeAdminKeys(config)} stored instance admin key(s)${config.adminKey ? '; CARAVAN_ADMIN_KEY still works' : ''}`);
        return;
      }
      process.stderr.write(`usage: caravan admin-key rotate|revoke\n`);
      process.exitCode = 2;
      return;
    }
    case 'bootstrap':
      await migrate();
      return bootstrap();
    case 'api': {
      const { runApi } = await import('./main.api');
      return up('api', [await runApi()]);
    }
    case 'worker': {
      const { runWorker } = await import('./main.worker');
      return up('worker', [await runWorker()]);
    }
    case 'egress': {
      const { runEgress } = await import('./main.egress');
      return up('egress', [await runEgress()]);
    }
    case 'start': {
      await migrate();
      await bootstrap();
      const [{ runEgress }, { runApi }] = await Promise.all([import('./main.egress'), import('./main.api')]);
      // one application runs the api and the worker: one pool, one set of Redis connections
      const egress = await runEgress();
      const api = await runApi({ withWorker: true });
      up('all-in-one', [api, egress]);
      const port = api.listeners[0].port;
      log(`API http://127.0.0.1:${port}/api/v1, Swagger UI http://127.0.0.1:${port}/docs`);
      return;
    }
    case 'retention': {
      if (argv[1] !== 'run' || argv.slice(2).some((a) => a !== '--dry-run')) {
        process.stderr.write(`usage: caravan retention run [--dry-run]\n`);
        process.exitCode = 2;
        return;
      }
      const { runRetention, formatRetentionReport } = await import('./app/retention.command');
      process.stdout.write(formatRetentionReport(await runRetention(loadConfig(), argv.includes('--dry-run'))));
      return;
    }
    case 'openapi': {
      const { printOpenApi } = await import('./app/openapi.command');
      return printOpenApi();
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return;
    default:
      process.stderr.write(`unknown command "${command}"\n\n${HELP}`);
      process.exitCode = 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    reportFatal(e);
    process.exit(1);
  });
}
