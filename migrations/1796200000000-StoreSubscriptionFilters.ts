import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Convoy's per-event-type filters of a subscription: routing picks the row of the event's
 * type (or the `*` row) and matches its body, header, query and path filters. Every live
 * subscription gets the rows its filter_config implies (one per event type, its filter), so
 * routing keeps its answers; the copy is bounded by the subscriptions table, which is small.
 */
export class StoreSubscriptionFilters1796200000000 implements MigrationInterface {
  name = 'StoreSubscriptionFilters1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`
      CREATE TABLE subscription_filters (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        subscription_id text NOT NULL REFERENCES subscriptions(id) ON DELETE CASCADE,
        event_type text NOT NULL,
        enabled_at timestamptz,
        headers jsonb NOT NULL DEFAULT '{}',
        body jsonb NOT NULL DEFAULT '{}',
        query jsonb NOT NULL DEFAULT '{}',
        path jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX subscription_filters_type_idx ON subscription_filters (subscription_id, event_type)`);
    await q.query(`CREATE INDEX subscription_filters_project_idx ON subscription_filters (project_id)`);
    // ids: the subscription's id and a per-row suffix keep them unique without a ULID function in SQL
    await q.query(`
      INSERT INTO subscription_filters (id, project_id, subscription_id, event_type, enabled_at, headers, body)
      SELECT s.id || '-' || md5(t.event_type), s.project_id, s.id, t.event_type, now(),
             COALESCE(s.filter_config->'filter'->'headers', '{}'), COALESCE(s.filter_config->'filter'->'body', '{}')
      FROM subscriptions s
      CROSS JOIN LATERAL jsonb_array_elements_text(COALESCE(s.filter_config->'event_types', '["*"]')) AS t(event_type)
      WHERE s.deleted_at IS NULL
      ON CONFLICT DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE subscription_filters`);
  }
}
