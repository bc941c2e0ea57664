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

/** Creates the database named in the URL when it does not exist (development and tests). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`refusing to create database with name "${name}"`);
  url.pathname = '/postgres';
  const admin = new DataSource({ type: 'postgres', url: url.toString(), poolSize: 1 });
  await admin.initialize();
  try {
    const rows: unknown[] = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length > 0) return false;
    await admin.query(`CREATE DATABASE "${name}"`);
    return true;
  } finally {
    await admin.destroy();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`refusing to drop database with name "${name}"`);
  url.pathname = '/postgres';
  const admin = new DataSource({ type: 'postgres', url: url.toString(), poolSize: 1 });
  await admin.initialize();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.destroy();
  }
}
