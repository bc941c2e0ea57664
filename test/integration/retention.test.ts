import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { ulid } from 'ulid';
import { HealthMetrics } from '../../libs/observability/metrics';
import { createTestDatabase, deleteRedisPrefix, TestDatabase, testConfig, testRedisPrefix } from '../../libs/testing';
import { CoreModule } from '../../src/app/core.module';
import { newId } from '../../src/common/ids';
import { InstanceModule } from '../../src/modules/instance';
import { RETENTION_LOCK, RetentionModule, RetentionRunner } from '../../src/modules/retention';

const HOUR = 3_600_000;

/**
 * Retention on the real PostgreSQL with a one-hour policy: old finished rows go, live
 * deliveries and their events stay, a project's own policy wins, two runs never purge at
 * once, and the export holds what was removed.
 */
describe('retention (integration)', () => {
  let db: TestDatabase;
  let prefix: string;
  let exportDir: string;
  const apps: INestApplicationContext[] = [];
  let ds: DataSource;
  let projectA: string;
  let projectB: string;
  let endpointA: string;
  let endpointB: string;
  const kept = new Set<string>();
  const purged = new Set<string>();

  const oldId = (): string => ulid(Date.now() - 3 * HOUR);

  async function context(): Promise<INestApplicationContext> {
    const config = testConfig({
      databaseUrl: db.url,
      redisPrefix: prefix,
      retentionPolicy: HOUR,
      retentionBatchSize: 10,
      retentionBatchPauseMs: 40,
      retentionExportDir: exportDir,
    });
    const app = await NestFactory.createApplicationContext(
      { module: class RetentionTestModule {}, imports: [CoreModule.forRole('cli', config), InstanceModule, RetentionModule] },
      { logger: false },
    );
    apps.push(app);
    return app;
  }

  async function event(projectId: string, id: string, routed = true): Promise<string> {
    await ds.query(
      `INSERT INTO events (id, project_id, event_type, target, raw, routed_at, status) VALUES ($1, $2, 'order.paid', '{"kind":"endpoint"}', $3, $4, 'Success')`,
      [id, projectId, JSON.stringify({ n: id }), routed ? new Date() : null],
    );
    return id;
  }

  async function delivery(projectId: string, endpointId: string, eventId: string, id: string, status: string, routeSeq = 0): Promise<string> {
    await ds.query(
      `INSERT INTO event_deliveries (id, project_id, event_id, endpoint_id, subscription_id, route_seq, event_type, status, retry_limit)
       VALUES ($1, $2, $3, $4, 'sub', $5, 'order.paid', $6, 3)`,
      [id, projectId, eventId, endpointId, routeSeq, status],
    );
    await ds.query(
      `INSERT INTO delivery_attempts (id, project_id, event_delivery_id, endpoint_id, msg_id, url, status, requested_at) VALUES ($1, $2, $3, $4, $5, 'http://127.0.0.1/', true, now())`,
      [newId(), projectId, id, endpointId, eventId],
    );
    return id;
  }

  async function meta(projectId: string, id: string, status: string): Promise<string> {
    await ds.query(`INSERT INTO meta_events (id, project_id, event_type, status, payload, retry_limit) VALUES ($1, $2, 'endpoint.created', $3, '{}', 3)`, [
      id,
      projectId,
      status,
    ]);
    return id;
  }

  async function present(ids: Iterable<string>): Promise<Set<string>> {
    const list = [...ids];
    const rows: { id: string }[] = await ds.query(
      `SELECT id FROM events WHERE id = ANY($1) UNION ALL SELECT id FROM event_deliveries WHERE id = ANY($1) UNION ALL SELECT id FROM meta_events WHERE id = ANY($1)`,
      [list],
    );
    return new Set(rows.map((r) => r.id));
  }

  beforeAll(async () => {
    db = await createTestDatabase('retention');
    prefix = testRedisPrefix('retention');
    exportDir = mkdtempSync(join(tmpdir(), 'caravan-retention-'));
    const app = await context();
    ds = app.get(DataSource);
    projectA = newId();
    projectB = newId();
    endpointA = newId();
    endpointB = newId();
    await ds.query(`INSERT INTO projects (id, name, type, config) VALUES ($1, 'a', 'outgoing', '{}'), ($2, 'b', 'outgoing', '{"retention_policy":"0"}')`, [
      projectA,
      projectB,
    ]);
    await ds.query(`INSERT INTO endpoints (id, project_id, name, url) VALUES ($1, $2, 'e', 'http://127.0.0.1:1/'), ($3, $4, 'e', 'http://127.0.0.1:1/')`, [
      endpointA,
      projectA,
      endpointB,
      projectB,
    ]);

    // 25 old, finished events: gone with their deliveries and attempts (three batches of ten)
    for (let i = 0; i < 25; i++) {
      const e = await event(projectA, oldId());
      const d = await delivery(projectA, endpointA, e, oldId(), i % 3 === 0 ? 'Failure' : i % 3 === 1 ? 'Discarded' : 'Success');
      purged.add(e).add(d);
    }
    // old but live deliveries keep themselves and their events
    for (const status of ['Scheduled', 'Retry', 'Processing']) {
      const e = await event(projectA, oldId());
      kept.add(e).add(await delivery(projectA, endpointA, e, oldId(), status));
    }
    // an old event replayed lately: its old delivery goes, the event stays with the new one
    const replayed = await event(projectA, oldId());
    purged.add(await delivery(projectA, endpointA, replayed, oldId(), 'Failure'));
    kept.add(replayed).add(await delivery(projectA, endpointA, replayed, newId(), 'Success', 1));
    // an old event that a replay is routing right now stays
    kept.add(await event(projectA, oldId(), false));
    // new rows stay
    for (let i = 0; i < 3; i++) {
      const e = await event(projectA, newId());
      kept.add(e).add(await delivery(projectA, endpointA, e, newId(), 'Success'));
    }
    // project B keeps everything: its own policy is 0
    for (let i = 0; i < 3; i++) {
      const e = await event(projectB, oldId());
      kept.add(e).add(await delivery(projectB, endpointB, e, oldId(), 'Success'));
    }
    for (let i = 0; i < 3; i++) purged.add(await meta(projectA, oldId(), 'Success'));
    kept.add(await meta(projectA, oldId(), 'Retry'));
    kept.add(await meta(projectA, newId(), 'Success'));
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
    await deleteRedisPrefix(prefix);
    rmSync(exportDir, { recursive: true, force: true });
  });

  it('dry-run counts what a run would remove and removes nothing', async () => {
    const r = await apps[0].get(RetentionRunner).run({ dryRun: true });
    expect(r.dryRun).toBe(true);
    expect(r.removed).toEqual({ delivery_attempts: 26, event_deliveries: 26, events: 25, meta_events: 3 });
    expect((await present(purged)).size).toBe(purged.size);
  });

  it('does nothing while another run holds the lock', async () => {
    const session = ds.createQueryRunner();
    await session.connect();
    try {
      await session.query('SELECT pg_advisory_lock($1, $2)', [...RETENTION_LOCK]);
      const r = await apps[0].get(RetentionRunner).run();
      expect(r.skipped).toBe('locked');
      expect((await present(purged)).size).toBe(purged.size);
    } finally {
      await session.query('SELECT pg_advisory_unlock($1, $2)', [...RETENTION_LOCK]);
      await session.release();
    }
  });

  it('two concurrent runs purge once: old finished rows go, live deliveries, their events and new rows stay', async () => {
    const other = await context();
    const [r1, r2] = await Promise.all([apps[0].get(RetentionRunner).run(), other.get(RetentionRunner).run()]);
    const ran = [r1, r2].filter((r) => !r.skipped);
    expect(ran).toHaveLength(1);
    expect([r1, r2].filter((r) => r.skipped === 'locked')).toHaveLength(1);
    expect(ran[0].removed).toEqual({ delivery_attempts: 26, event_deliveries: 26, events: 25, meta_events: 3 });

    expect([...(await present(purged))]).toEqual([]);
    expect((await present(kept)).size).toBe(kept.size);
    const [{ n }] = await ds.query<{ n: number }[]>(`SELECT count(*)::int AS n FROM delivery_attempts`);
    expect(n).toBe(3 + 1 + 3 + 3);

    const metrics = await (r1.skipped ? other : apps[0]).get(HealthMetrics).render();
    expect(metrics.body).toContain('caravan_retention_rows_purged_total{table="events"} 25');
    expect(metrics.body).toMatch(/caravan_retention_last_run_timestamp_seconds \d+/);
  });

  it('exported every removed row as gzipped JSON lines before removing it', () => {
    const files = readdirSync(exportDir);
    const events = files.find((f) => f.startsWith('events-') && f.endsWith('.jsonl.gz'));
    expect(events).toBeDefined();
    const lines = gunzipSync(readFileSync(join(exportDir, events!)))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; raw: string });
    expect(lines).toHaveLength(25);
    for (const l of lines) {
      expect(purged.has(l.id)).toBe(true);
      expect(JSON.parse(l.raw)).toEqual({ n: l.id });
    }
    expect(files.some((f) => f.startsWith('delivery_attempts-'))).toBe(true);
    expect(files.some((f) => f.startsWith('event_deliveries-'))).toBe(true);
    expect(files.some((f) => f.startsWith('meta_events-'))).toBe(true);
  });

  it('a second run finds nothing more to remove', async () => {
    const r = await apps[0].get(RetentionRunner).run();
    expect(r.removed).toEqual({ delivery_attempts: 0, event_deliveries: 0, events: 0, meta_events: 0 });
    expect((await present(kept)).size).toBe(kept.size);
  });
});
