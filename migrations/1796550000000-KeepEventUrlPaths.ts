import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps the URL path an incoming webhook was posted to (Convoy's `url_path`), so answers show
 * it and a replay's path filters see what the first routing saw. A constant default: adding
 * it rewrites nothing on PostgreSQL 11 and later.
 */
export class KeepEventUrlPaths1796550000000 implements MigrationInterface {
  name = 'KeepEventUrlPaths1796550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`ALTER TABLE events ADD COLUMN url_path text NOT NULL DEFAULT ''`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE events DROP COLUMN url_path`);
  }
}
