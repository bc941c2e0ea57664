import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import request from 'supertest';
import { runMigrations } from '../../libs/database';
import { ReplicaReads } from '../../libs/database/replica-reads';
import { HealthMetrics } from '../../libs/observability';
import { deleteRedisPrefix, PgStreamingPair, testConfig, testRedisPrefix, TEST_ADMIN_KEY, waitUntil } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';

const MAX_LAG_MS = 1500;
const PROBE_MS = 200;

/**
 * Read routes on a real streaming replica (pg_basebackup -R of a private primary): served by
 * the replica while it is within DATABASE_REPLICA_MAX_LAG_MS, by the primary when it falls
 * behind or goes away, and never an error for the caller.
 */
describe('read replicas (integration, real streaming replica)', () => {
  const pair = new PgStreamingPair();
  const prefix = testRedisPrefix('replica');
  let app: NestFastifyApplication;
  let replica: Client;
  let pid: string;
  let auth: { Authorization: string };
  const http = () => request(app.getHttpServer());

  async function replicaReads(): Promise<number> {
    const text = (await app.get(HealthMetrics).render()).body;
    const m = /caravan_db_read_route_reads_total\{target="replica"\} (\d+)/.exec(text);
    return m ? Number(m[1]) : 0;
  }

  function healthy(): Promise<boolean> {
    return Promise.resolve(app.get(ReplicaReads).status()[0]?.healthy ?? false);
  }

  beforeAll(async () => {
    await pair.start();
    const config = testConfig({
      databaseUrl: pair.url('primary'),
      databaseReadReplicas: [pair.url('replica')],
      databaseReplicaMaxLagMs: MAX_LAG_MS,
      databaseReplicaProbeMs: PROBE_MS,
      databasePoolSize: 5,
      redisPrefix: prefix,
      egressAllow: ['127.0.0.1:9'],
    });
    await runMigrations(config);
    app = await createApiApp({ config });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    replica = new Client({ connectionString: pair.url('replica') });
    await replica.connect();
    const created = await http()
      .post('/api/v1/projects')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({ name: 'replicas', type: 'outgoing', config: { ssl: { enforce_secure_endpoints: false } } })
      .expect(201);
    pid = created.body.data.project.uid as string;
    auth = { Authorization: `Bearer ${created.body.data.api_key.key as string}` };
    await waitUntil('the replica to be healthy', () => healthy(), 15_000);
  }, 180_000);

  afterAll(async () => {
    await replica?.end().catch(() => undefined);
    await app?.close();
    await pair.close();
    await deleteRedisPrefix(prefix);
  }, 60_000);

  async function createEndpoint(name: string): Promise<string> {
    const res = await http().post(`/api/v1/projects/${pid}/endpoints`).set(auth).send({ name, url: 'http://127.0.0.1:9/hook' }).expect(201);
    return res.body.data.uid as string;
  }

  it('serves list and get routes from the replica once it has caught up', async () => {
    const id = await createEndpoint('caught-up');
    const before = await replicaReads();
    // the write's answer came from the primary; a read route may briefly not see it yet
    await waitUntil(
      'the replica to show the endpoint',
      async () => (await http().get(`/api/v1/projects/${pid}/endpoints/${id}`).set(auth)).status === 200,
      10_000,
    );
    const list = await http().get(`/api/v1/projects/${pid}/endpoints`).set(auth).expect(200);
    expect(list.body.data.content.map((e: { uid: string }) => e.uid)).toContain(id);
    for (const path of ['events', 'eventdeliveries', 'subscriptions', 'sources', 'event-types', 'meta-events']) {
      await http().get(`/api/v1/projects/${pid}/${path}`).set(auth).expect(200);
    }
    expect(await replicaReads()).toBeGreaterThan(before + 6);
  });

  it('answers with the lagging replica within the bound, from the primary beyond it, and back on the replica after', async () => {
    await replica.query('SELECT pg_wal_replay_pause()');
    try {
      const id = await createEndpoint('while-paused');
      // the write route answered from the primary; the replica, paused, has not replayed it
      const stale = await http().get(`/api/v1/projects/${pid}/endpoints/${id}`).set(auth);
      expect(stale.status).toBe(404);
      // past the bound the probe takes the replica out and the primary answers
      await waitUntil('the lagging replica to be skipped', async () => !(await healthy()), MAX_LAG_MS + 5 * PROBE_MS + 2000);
      const fresh = await http().get(`/api/v1/projects/${pid}/endpoints/${id}`).set(auth).expect(200);
      expect(fresh.body.data.uid).toBe(id);
      expect(app.get(ReplicaReads).status()[0].reason).toMatch(/behind/);
    } finally {
      await replica.query('SELECT pg_wal_replay_resume()');
    }
    await waitUntil('the replica to be healthy again', () => healthy(), 10_000);
    const before = await replicaReads();
    await http().get(`/api/v1/projects/${pid}/endpoints`).set(auth).expect(200);
    expect(await replicaReads()).toBe(before + 1);
  });

  it('never fails a read because the replica died: the primary answers, then serves until it is back', async () => {
    const id = await createEndpoint('replica-down');
    await waitUntil(
      'the replica to show the endpoint',
      async () => (await http().get(`/api/v1/projects/${pid}/endpoints/${id}`).set(auth)).status === 200,
      10_000,
    );
    await replica.end().catch(() => undefined);
    await pair.stopReplica();
    // straight away, before any probe: the pooled replica connections are dead
    for (let i = 0; i < 5; i++) {
      const res = await http().get(`/api/v1/projects/${pid}/endpoints/${id}`).set(auth);
      expect(res.status).toBe(200);
      expect(res.body.data.uid).toBe(id);
    }
    await waitUntil('the stopped replica to be skipped', async () => !(await healthy()), 5000);
    await http().get(`/api/v1/projects/${pid}/endpoints`).set(auth).expect(200);
    await pair.startReplica();
    replica = new Client({ connectionString: pair.url('replica') });
    await replica.connect();
    await waitUntil('the restarted replica to be healthy', () => healthy(), 20_000);
    await http().get(`/api/v1/projects/${pid}/endpoints/${id}`).set(auth).expect(200);
  }, 60_000);

  it('keeps every other route on the primary: writes, and the read after a write', async () => {
    await replica.query('SELECT pg_wal_replay_pause()');
    try {
      const id = await createEndpoint('write-path');
      const before = await replicaReads();
      const updated = await http()
        .put(`/api/v1/projects/${pid}/endpoints/${id}`)
        .set(auth)
        .send({ name: 'renamed', url: 'http://127.0.0.1:9/hook' })
        .expect(202);
      expect(updated.body.data.name).toBe('renamed');
      await http().put(`/api/v1/projects/${pid}/endpoints/${id}/pause`).set(auth).expect(202);
      expect(await replicaReads()).toBe(before);
    } finally {
      await replica.query('SELECT pg_wal_replay_resume()');
    }
  });
});
