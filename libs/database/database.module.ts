import { DynamicModule, Module } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, DataSourceOptions } from 'typeorm';
import { CARAVAN_CONFIG, CaravanConfig } from '../config';
import { dependencyLog, DependencyUnavailableError, isConnectionError, nestWriter } from '../observability/dependency-log';
import { buildDataSourceOptions } from './data-source-options';
import { ReplicaReadsModule } from './replica-reads';
import { usePreparedStatements } from './sql';

const CONNECT_ATTEMPTS = 3;
const CONNECT_RETRY_DELAY_MS = 1000;

/**
 * Start-up should not spin for minutes when PostgreSQL is down (readiness tells), nor
 * print a stack per try: a few tries, one structured line, then a start-up error that
 * names DATABASE_URL.
 */
async function connectWithRetry(options: DataSourceOptions, url: string): Promise<DataSource> {
  const write = nestWriter(new Logger('Database'));
  for (let attempt = 1; ; attempt++) {
    try {
      const ds = await new DataSource(options).initialize();
      dependencyLog('postgres').recovered(url, write);
      return ds;
    } catch (e) {
      if (!isConnectionError(e)) throw e;
      dependencyLog('postgres').failed(url, e, write);
      if (attempt >= CONNECT_ATTEMPTS) throw new DependencyUnavailableError('postgres', url, e);
      await new Promise((r) => setTimeout(r, CONNECT_RETRY_DELAY_MS));
    }
  }
}

@Module({})
export class DatabaseModule {
  /** @param replicas open DATABASE_READ_REPLICAS in this process (the api role) */
  static forRoot(applicationName: string, replicas = false): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [CARAVAN_CONFIG],
          useFactory: (config: CaravanConfig) => {
            usePreparedStatements(config.databasePreparedStatements);
            return {
              ...buildDataSourceOptions(config, { applicationName }),
              // our own retry (connectWithRetry): TypeORM's logs a stack trace per try
              retryAttempts: 1,
              toRetry: () => false,
            };
          },
          dataSourceFactory: async (options?: DataSourceOptions) => connectWithRetry(options!, (options as { url?: string }).url ?? ''),
        }),
        ReplicaReadsModule.forRoot(replicas),
      ],
      exports: [TypeOrmModule, ReplicaReadsModule],
    };
  }
}
