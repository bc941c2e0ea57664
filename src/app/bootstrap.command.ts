import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CaravanConfig } from '../../libs/config';
import { ApiKeysService, AuthModule } from '../modules/auth';
import { CoreModule } from './core.module';

/** The API-key services for one command, with the instance's database and Redis (for broadcasting revocations). */
async function withKeys<T>(config: CaravanConfig, fn: (keys: ApiKeysService) => Promise<T>): Promise<T> {
  const app: INestApplicationContext = await NestFactory.createApplicationContext(
    { module: class AdminKeyCommandModule {}, imports: [CoreModule.forRole('cli', config), AuthModule] },
    { logger: ['error'] },
  );
  try {
    return await fn(app.get(ApiKeysService));
  } finally {
    await app.close();
  }
}

/**
 * Creates the instance admin key when CARAVAN_ADMIN_KEY is not set and no instance key
 * exists yet. The key is returned once and never again.
 */
export async function bootstrapInstance(config: CaravanConfig): Promise<{ created: boolean; key?: string; fromEnv: boolean }> {
  if (config.adminKey) return { created: false, fromEnv: true };
  const issued = await withKeys(config, (keys) => keys.bootstrapInstanceKey());
  return issued ? { created: true, key: issued.key, fromEnv: false } : { created: false, fromEnv: false };
}

/** Revokes every stored instance admin key and creates a new one (printed once). CARAVAN_ADMIN_KEY is not touched. */
export function rotateAdminKey(config: CaravanConfig): Promise<{ key: string; revoked: number }> {
  return withKeys(config, async (keys) => {
    const { issued, revoked } = await keys.rotateInstanceKeys();
    return { key: issued.key, revoked };
  });
}

/** Revokes every stored instance admin key, e.g. the printed bootstrap key once CARAVAN_ADMIN_KEY is set. */
export function revokeAdminKeys(config: CaravanConfig): Promise<number> {
  return withKeys(config, (keys) => keys.revokeInstanceKeys());
}
