import { DynamicModule, Global, Module } from '@nestjs/common';
import { CaravanConfig } from './env.schema';
import { loadConfig } from './load-config';

export const CARAVAN_CONFIG = Symbol('CARAVAN_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config?: CaravanConfig): DynamicModule {
    const value = config ?? loadConfig();
    return {
      module: ConfigModule,
      providers: [{ provide: CARAVAN_CONFIG, useValue: value }],
      exports: [CARAVAN_CONFIG],
    };
  }
}
