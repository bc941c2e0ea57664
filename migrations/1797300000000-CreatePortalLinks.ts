import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Portal links (a customer's view of their own endpoints, scoped by `owner_id`) and the
 * tokens that open them. Tokens are stored as a salted hash and found by their mask, as API
 * keys are; a revoked or refreshed token keeps its row with `revoked_at` set. New tables,
 * so nothing is rewritten.
 */
export class CreatePortalLinks1797300000000 implements MigrationInterface {
  name = 'CreatePortalLinks1797300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`
      CREATE TABLE portal_links (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL,
        owner_id text NOT NULL,
        auth_type text NOT NULL,
        can_manage_endpoint boolean NOT NULL DEFAULT false,
        endpoints text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX portal_links_project_idx ON portal_links (project_id, id) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE TABLE portal_link_tokens (
        id text PRIMARY KEY,
        portal_link_id text NOT NULL REFERENCES portal_links(id) ON DELETE CASCADE,
        kind text NOT NULL,
        mask_id text NOT NULL,
        salt text NOT NULL,
        hash text NOT NULL,
        expires_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX portal_link_tokens_mask_key ON portal_link_tokens (mask_id)`);
    await q.query(`CREATE INDEX portal_link_tokens_link_idx ON portal_link_tokens (portal_link_id) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE portal_link_tokens`);
    await q.query(`DROP TABLE portal_links`);
  }
}
