import { DataSource } from 'typeorm';
import { StoreSubscriptionFilters1796200000000 } from '../../migrations/1796200000000-StoreSubscriptionFilters';
import { buildDataSourceOptions } from '../../libs/database';
import { createTestDatabase, TestDatabase } from '../../libs/testing';
import { newId } from '../../src/common/ids';

/**
 * The migration that introduces filter rows gives every live subscription the rows its
 * filter_config implies, so routing answers the same before and after it.
 */
describe('StoreSubscriptionFilters migration (integration)', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('filtermig');
    ds = new DataSource({ ...buildDataSourceOptions({ databaseUrl: db.url, databasePoolSize: 2, databaseStatementTimeoutMs: 0 }), entities: [] });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('makes one enabled row per event type of each live subscription, with its filters', async () => {
    const migration = new StoreSubscriptionFilters1796200000000();
    const runner = ds.createQueryRunner();
    try {
      await migration.down(runner);
      const [projectId, endpointId] = [newId(), newId()];
      await ds.query(`INSERT INTO projects (id, name, type, config) VALUES ($1, 'p', 'outgoing', '{}')`, [projectId]);
      await ds.query(`INSERT INTO endpoints (id, project_id, name, url) VALUES ($1, $2, 'e', 'https://example.com/')`, [endpointId, projectId]);
      const sub = (id: string, config: unknown, deleted = false) =>
        ds.query(`INSERT INTO subscriptions (id, project_id, endpoint_id, name, filter_config, deleted_at) VALUES ($1, $2, $3, 's', $4, $5)`, [
          id,
          projectId,
          endpointId,
          JSON.stringify(config),
          deleted ? new Date() : null,
        ]);
      await sub('typed', { event_types: ['a', 'b'], filter: { headers: { 'x-t': 'acme' }, body: { n: { $gte: 1 } } } });
      await sub('all', { event_types: ['*'], filter: { headers: {}, body: {} } });
      await sub('gone', { event_types: ['a'], filter: { headers: {}, body: {} } }, true);

      await migration.up(runner);

      const rows: { subscription_id: string; event_type: string; enabled: boolean; headers: unknown; body: unknown; query: unknown; path: unknown }[] =
        await ds.query(
          `SELECT subscription_id, event_type, enabled_at IS NOT NULL AS enabled, headers, body, query, path FROM subscription_filters ORDER BY subscription_id, event_type`,
        );
      expect(rows).toEqual([
        { subscription_id: 'all', event_type: '*', enabled: true, headers: {}, body: {}, query: {}, path: {} },
        { subscription_id: 'typed', event_type: 'a', enabled: true, headers: { 'x-t': 'acme' }, body: { n: { $gte: 1 } }, query: {}, path: {} },
        { subscription_id: 'typed', event_type: 'b', enabled: true, headers: { 'x-t': 'acme' }, body: { n: { $gte: 1 } }, query: {}, path: {} },
      ]);
    } finally {
      await runner.release();
    }
  });
});
