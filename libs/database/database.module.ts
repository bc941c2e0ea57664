import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CARAVAN_CONFIG, CaravanConfig } from '../config';
import { buildDataSourceOptions } from './data-source-options';
import { ReplicaReadsModule } from './replica-reads';
import { usePreparedStatements } from './sql';

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
              // Start-up should not spin for minutes when PostgreSQL is down; readiness tells.
              retryAttempts: 3,
              retryDelay: 1000,
            };
          },
        }),
        ReplicaReadsModule.forRoot(replicas),
      ],
      exports: [TypeOrmModule, ReplicaReadsModule],
    };
  }
}
