import { DataSource } from 'typeorm';
import type { CaravanConfig } from '../config';
import { buildDataSourceOptions } from './data-source-options';

/** Runs pending migrations under lock and statement timeouts, then closes the connection. */
export async function runMigrations(
  config: Pick<CaravanConfig, 'databaseUrl' | 'databasePoolSize' | 'databaseStatementTimeoutMs'>,
  log: (line: string) => void = () => undefined,
): Promise<string[]> {
  const ds = new DataSource({ ...buildDataSourceOptions(config, { poolSize: 2, applicationName: 'caravan-migrate' }), logging: ['error'] });
  await ds.initialize();
  try {
    await ds.query(`SET lock_timeout = '30s'`);
    const ran = await ds.runMigrations({ transaction: 'each' });
    for (const m of ran) log(`applied migration ${m.name}`);
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/** Splits a database URL into its name and a URL of the maintenance database. */
function adminTarget(databaseUrl: string): { name: string; adminUrl: string } {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`refusing to manage a database named "${name}"`);
  url.pathname = '/postgres';
  return { name, adminUrl: url.toString() };
}

async function withAdmin<T>(adminUrl: string, work: (admin: DataSource) => Promise<T>): Promise<T> {
  const admin = new DataSource({ type: 'postgres', url: adminUrl, poolSize: 1 });
  await admin.initialize();
  try {
    return await work(admin);
  } finally {
    await admin.destroy();
  }
}

/** Creates the database named in the URL when it does not exist (development and tests). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const { name, adminUrl } = adminTarget(databaseUrl);
  return withAdmin(adminUrl, async (admin) => {
    const rows: unknown[] = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length > 0) return false;
    await admin.query(`CREATE DATABASE "${name}"`);
    return true;
  });
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { name, adminUrl } = adminTarget(databaseUrl);
  await withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
