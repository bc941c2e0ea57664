import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { connect as natsConnect } from '@nats-io/transport-node';
import { connect as amqpConnect } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { createTestProject, PipelineHarness, startPipelineHarness, waitUntil } from '../../libs/testing';
import { HealthMetrics } from '../../libs/observability/metrics';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/**
 * A store that cannot commit: the events table is held under an exclusive lock, so every
 * ingest statement fails on the statement timeout, a transient failure like PostgreSQL
 * being away. The messages must stay with the broker (RabbitMQ and NATS JetStream), be
 * retried rather than acked or rejected, and become exactly one event each once the store
 * commits again, with no help.
 */
const WAIT_MS = 30_000;
jest.setTimeout(90_000);

describe('pub/sub sources while the store fails (e2e)', () => {
  let h: PipelineHarness;
  let db: Client;
  const run = randomBytes(4).toString('hex');
  const queue = `caravan-t-${run}-outage`;
  const stream = `CARAVAN_T_${run}_OUTAGE`;
  const subject = `caravan.t.${run}.outage`;

  async function retried(sourceId: string): Promise<number> {
    const { body } = await h.worker.get(HealthMetrics).render();
    const line = body
      .split('\n')
      .find((l) => l.startsWith('caravan_broker_messages_total') && l.includes(`source="${sourceId}"`) && l.includes('outcome="retried"'));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, {
      databaseStatementTimeoutMs: 1500,
      brokerAllow: ['127.0.0.0/8'],
      brokerSourcePollMs: 60_000,
    });
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
    await h.close();
    const amqp = await amqpConnect('amqp://guest:guest@127.0.0.1:5672');
    const ch = await amqp.createChannel();
    await ch.deleteQueue(queue).catch(() => undefined);
    await amqp.close();
    const nc = await natsConnect({ servers: 'nats://127.0.0.1:4222' });
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('acks nothing while the store fails, loses nothing, and resumes on its own', async () => {
    const p = await createTestProject(h.api.getHttpServer(), {}, 'outage');
    const http = () => request(h.api.getHttpServer());
    const nc = await natsConnect({ servers: 'nats://127.0.0.1:4222' });
    const amqp = await amqpConnect('amqp://guest:guest@127.0.0.1:5672');
    const locker = new Client({ connectionString: h.db.url });
    await locker.connect();
    try {
      await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [`${subject}.>`] });
      const rabbit = await http()
        .post(`/api/v1/projects/${p.id}/sources`)
        .set(p.auth)
        .send({ name: 'r', type: 'pub_sub', pub_sub: { type: 'amqp', amqp: { host: '127.0.0.1', queue, auth: { user: 'guest', password: 'guest' } } } })
        .expect(201);
      const nats = await http()
        .post(`/api/v1/projects/${p.id}/sources`)
        .set(p.auth)
        .send({ name: 'n', type: 'pub_sub', pub_sub: { type: 'nats', nats: { servers: ['nats://127.0.0.1:4222'], stream, consumer: 'caravan' } } })
        .expect(201);
      const sources = [rabbit.body.data.uid as string, nats.body.data.uid as string];

      await locker.query('BEGIN');
      await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const ch = await amqp.createConfirmChannel();
      const body = (n: number) => Buffer.from(JSON.stringify({ event_type: 'outage.test', data: { n } }));
      for (let i = 0; i < 3; i++) ch.sendToQueue(queue, body(i), { messageId: `o-${run}-${i}`, headers: { 'x-convoy-message-type': 'broadcast' } });
      await ch.waitForConfirms();
      const js = jetstream(nc);
      for (let i = 0; i < 3; i++) {
        const hd = natsHeaders();
        hd.set('x-convoy-message-type', 'broadcast');
        await js.publish(`${subject}.x`, JSON.stringify({ event_type: 'outage.test', data: { n: i } }), { headers: hd });
      }

      // both sources meet the failure and retry instead of settling
      await waitUntil('both sources to retry', async () => ((await retried(sources[0])) > 0 && (await retried(sources[1])) > 0 ? true : undefined), WAIT_MS);
      await locker.query('ROLLBACK');

      for (const id of sources) {
        await waitUntil(
          `three events of ${id}`,
          async () => {
            const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE source_id = $1`, [id]);
            return r.rows[0].n >= 3 ? true : undefined;
          },
          WAIT_MS,
        );
      }
      // exactly one event per message, none refused
      const counts = await db.query<{ source_id: string; n: number; distinct_ids: number }>(
        `SELECT source_id, count(*)::int AS n, count(DISTINCT broker_message_id)::int AS distinct_ids FROM events WHERE source_id = ANY($1) GROUP BY source_id`,
        [sources],
      );
      expect(counts.rows.map((r) => [r.n, r.distinct_ids])).toEqual([
        [3, 3],
        [3, 3],
      ]);
      expect((await db.query(`SELECT 1 FROM broker_rejections`)).rowCount).toBe(0);
      await waitUntil('the queue drained', async () => ((await ch.checkQueue(queue)).messageCount === 0 ? true : undefined), WAIT_MS);
      await waitUntil(
        'the JetStream consumer drained',
        async () => {
          const info = await (await jetstreamManager(nc)).consumers.info(stream, 'caravan');
          return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
        },
        WAIT_MS,
      );
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
      await amqp.close();
      await nc.close();
    }
  });
});
