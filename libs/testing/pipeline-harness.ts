import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { CaravanConfig } from '../config';
import { createTestDatabase, TestDatabase } from './test-database';
import { deleteRedisPrefix, testRedisPrefix } from './test-redis';
import { testConfig } from './test-config';
import { recordContract } from './convoy-contract';

export interface PipelineHarness {
  api: NestFastifyApplication;
  worker: INestApplicationContext;
  config: CaravanConfig;
  db: TestDatabase;
  /** stops the worker only (to build a backlog, or to simulate a crash with `kill`) */
  stopWorker(): Promise<void>;
  startWorker(overrides?: Partial<CaravanConfig>): Promise<INestApplicationContext>;
  close(): Promise<void>;
}

type ApiFactory = (opts: { config: CaravanConfig }) => Promise<NestFastifyApplication>;
type WorkerFactory = (opts: { config: CaravanConfig }) => Promise<INestApplicationContext>;

/** The api and worker roles in one test process on a database and Redis prefix of their own. */
export async function startPipelineHarness(
  createApi: ApiFactory,
  createWorker: WorkerFactory,
  overrides: Partial<CaravanConfig> = {},
): Promise<PipelineHarness> {
  const db = await createTestDatabase('pipe');
  const prefix = testRedisPrefix('pipe');
  const config = testConfig({ databaseUrl: db.url, redisPrefix: prefix, databasePoolSize: 10, sweepIntervalMs: 250, workerConcurrency: 10, ...overrides });
  const api = await createApi({ config });
  const contract = recordContract(api.getHttpAdapter().getInstance());
  await api.init();
  await api.getHttpAdapter().getInstance().ready();
  let worker: INestApplicationContext | undefined = await createWorker({ config });
  const h: PipelineHarness = {
    api,
    get worker() {
      if (!worker) throw new Error('worker is stopped');
      return worker;
    },
    config,
    db,
    stopWorker: async () => {
      await worker?.close();
      worker = undefined;
    },
    startWorker: async (more = {}) => {
      worker = await createWorker({ config: { ...config, ...more } });
      return worker;
    },
    close: async () => {
      await worker?.close();
      await api.close();
      await db.drop();
      await deleteRedisPrefix(prefix);
      contract.check();
    },
  };
  return h;
}
