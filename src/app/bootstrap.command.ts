import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CaravanConfig, ConfigModule } from '../../libs/config';
import { DatabaseModule } from '../../libs/database';
import { ApiKeysService, AuthModule } from '../modules/auth';

@Module({})
class BootstrapModule {}

/**
 * Creates the instance admin key when CARAVAN_ADMIN_KEY is not set and no instance key
 * exists yet. The key is returned once and never again.
 */
export async function bootstrapInstance(config: CaravanConfig): Promise<{ created: boolean; key?: string; fromEnv: boolean }> {
  if (config.adminKey) return { created: false, fromEnv: true };
  const app = await NestFactory.createApplicationContext(
    { module: BootstrapModule, imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot('caravan-bootstrap'), AuthModule] },
    { logger: ['error'] },
  );
  try {
    const issued = await app.get(ApiKeysService).bootstrapInstanceKey();
    return issued ? { created: true, key: issued.key, fromEnv: false } : { created: false, fromEnv: false };
  } finally {
    await app.close();
  }
}
