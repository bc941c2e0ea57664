import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Small key/value store for instance-wide values (generated dev encryption key). */
@Injectable()
export class InstanceSettingsRepository {
  constructor(private readonly ds: DataSource) {}

  /** Stores `value` unless a value exists already; returns whichever won. */
  async getOrInsert(key: string, value: string): Promise<string> {
    const rows: { value: string }[] = await this.ds.query(
      `WITH ins AS (INSERT INTO instance_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value)
       SELECT value FROM ins UNION ALL SELECT value FROM instance_settings WHERE key = $1 LIMIT 1`,
      [key, value],
    );
    if (rows[0]) return rows[0].value;
    // another process inserted the key at the same moment: the statement's snapshot predates
    // that commit (the insert waited for it and did nothing), so read it again
    const existing = await this.get(key);
    if (existing === undefined) throw new Error(`instance setting ${key} could be neither inserted nor read`);
    return existing;
  }

  async get(key: string): Promise<string | undefined> {
    const rows: { value: string }[] = await this.ds.query(`SELECT value FROM instance_settings WHERE key = $1`, [key]);
    return rows[0]?.value;
  }
}
