import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CaravanConfig } from '../config';
import { createTestDatabase, TestDatabase } from './test-database';
import { deleteRedisPrefix, testRedisPrefix } from './test-redis';
import { testConfig } from './test-config';
import { recordContract } from './convoy-contract';

export interface ApiHarness {
  app: NestFastifyApplication;
  config: CaravanConfig;
  db: TestDatabase;
  close(): Promise<void>;
}

/**
 * The api role in process against a database and Redis prefix of its own. The app
 * factory is passed in so libs never import from src.
 */
export async function startApiHarness(
  createApp: (opts: { config: CaravanConfig }) => Promise<NestFastifyApplication>,
  overrides: Partial<CaravanConfig> = {},
): Promise<ApiHarness> {
  const db = await createTestDatabase('e2e');
  const prefix = testRedisPrefix('e2e');
  const config = testConfig({ databaseUrl: db.url, redisPrefix: prefix, databasePoolSize: 5, ...overrides });
  const app = await createApp({ config });
  const contract = recordContract(app.getHttpAdapter().getInstance());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    db,
    close: async () => {
      await app.close();
      await db.drop();
      await deleteRedisPrefix(prefix);
      contract.check();
    },
  };
}
