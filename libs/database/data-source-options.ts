import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { CaravanConfig } from '../config';

const root = join(__dirname, '..', '..');

/**
 * The one place that knows how to reach PostgreSQL: the app, the migrate command and the
 * TypeORM CLI (ormconfig.ts) all build their options here.
 */
export function buildDataSourceOptions(
  config: Pick<CaravanConfig, 'databaseUrl' | 'databasePoolSize' | 'databaseStatementTimeoutMs'>,
  overrides: { url?: string; poolSize?: number; applicationName?: string; connectTimeoutMs?: number } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url: overrides.url ?? config.databaseUrl,
    entities: [join(root, 'src', 'modules', '**', '*.entity.{js,ts}')],
    migrations: [join(root, 'migrations', '*.{js,ts}')],
    migrationsTableName: 'caravan_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: ['error', 'migration'],
    poolSize: overrides.poolSize ?? config.databasePoolSize,
    applicationName: overrides.applicationName ?? 'caravan',
    extra: {
      // Fail fast instead of queueing forever when PostgreSQL is unreachable: ingest
      // then answers 503 promptly rather than hanging the producer.
      connectionTimeoutMillis: overrides.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30000,
      statement_timeout: config.databaseStatementTimeoutMs || undefined,
      keepAlive: true,
    },
  };
}
