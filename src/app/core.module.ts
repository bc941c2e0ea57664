import { DynamicModule, Module } from '@nestjs/common';
import { CaravanConfig, ConfigModule } from '../../libs/config';
import { DatabaseModule } from '../../libs/database';
import { LoggerModule, MetricsModule } from '../../libs/observability';
import { InvalidationModule, QueueModule, RedisModule } from '../../libs/queue';

/** What every role that touches data shares: config, logs, PostgreSQL, Redis, cache invalidations, queues. */
@Module({})
export class CoreModule {
  static forRole(role: 'api' | 'worker' | 'cli', config?: CaravanConfig): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(role),
        MetricsModule,
        DatabaseModule.forRoot(`caravan-${role}`, role === 'api'),
        RedisModule,
        InvalidationModule,
        QueueModule.forRoot(),
      ],
      exports: [ConfigModule, DatabaseModule, RedisModule, InvalidationModule, QueueModule, MetricsModule],
    };
  }
}
