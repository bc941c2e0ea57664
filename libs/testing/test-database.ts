import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase, runMigrations } from '../database';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

const BASE = process.env.TEST_DATABASE_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function uniqueSuffix(): string {
  return `${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** A fresh database with every migration applied; drop() removes it. */
export async function createTestDatabase(label = 't'): Promise<TestDatabase> {
  const name = `caravan_${label}_${uniqueSuffix()}`.toLowerCase();
  const u = new URL(BASE);
  u.pathname = `/${name}`;
  const url = u.toString();
  await ensureDatabase(url);
  await runMigrations({ databaseUrl: url, databasePoolSize: 2, databaseStatementTimeoutMs: 0 });
  return { url, name, drop: () => dropDatabase(url) };
}
