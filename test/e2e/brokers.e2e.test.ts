import { jetstreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { connect as natsConnect } from '@nats-io/transport-node';
import { connect as amqpConnect, ChannelModel, ConfirmChannel } from 'amqplib';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { createTestProject, TEST_ADMIN_KEY, PipelineHarness, Sinks, startPipelineHarness, TestProject, waitUntil, WebhookSink } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/**
 * Pub/sub sources against the RabbitMQ and NATS JetStream servers of this machine: the API
 * checks the connection, the worker's brokers duty consumes, every message becomes one
 * event (a redelivery included), and what cannot become one is recorded, never dropped.
 * Queue, exchange and stream names are unique per run and removed afterwards.
 */
const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const NATS_SERVER = 'nats://127.0.0.1:4222';
/** generous: the suite shares two cores with the rest of the e2e run */
const WAIT_MS = 30_000;

jest.setTimeout(90_000);

describe('pub/sub sources (e2e, RabbitMQ and NATS JetStream)', () => {
  let h: PipelineHarness;
  let db: Client;
  let amqp: ChannelModel;
  let ch: ConfirmChannel;
  const sinks = new Sinks();
  const run = randomBytes(4).toString('hex');
  const queues: string[] = [];
  const exchanges: string[] = [];
  const streams: string[] = [];
  const http = () => request(h.api.getHttpServer());

  async function endpoint(p: TestProject, sink: WebhookSink, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: `ep-${sink.url}`, url: sink.url, ...extra })
      .expect(201);
    return res.body.data.uid as string;
  }

  async function eventsOf(sourceId: string): Promise<{ id: string; broker_message_id: string | null; headers: Record<string, string> }[]> {
    const r = await db.query(`SELECT id, broker_message_id, headers FROM events WHERE source_id = $1 ORDER BY id`, [sourceId]);
    return r.rows;
  }

  async function publish(queue: string, body: unknown, opts: { messageId?: string; headers?: Record<string, string> } = {}): Promise<void> {
    ch.sendToQueue(queue, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), { persistent: true, ...opts });
    await ch.waitForConfirms();
  }

  beforeAll(async () => {
    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'], brokerAllow: ['127.0.0.0/8'], brokerSourcePollMs: 60_000 });
    db = new Client({ connectionString: h.db.url });
    await db.connect();
    amqp = await amqpConnect(AMQP_URL);
    ch = await amqp.createConfirmChannel();
  });
  afterAll(async () => {
    await db.end();
    await h.close();
    await sinks.stopAll();
    for (const q of queues) await ch.deleteQueue(q).catch(() => undefined);
    for (const x of exchanges) await ch.deleteExchange(x).catch(() => undefined);
    await amqp.close();
    const nc = await natsConnect({ servers: NATS_SERVER });
    const jsm = await jetstreamManager(nc);
    for (const s of streams) await jsm.streams.delete(s).catch(() => undefined);
    await nc.close();
  });

  it('refuses a broker it cannot reach, with the broker reason, and pub_sub on incoming projects', async () => {
    const p = await createTestProject(h.api.getHttpServer(), {}, 'brokers');
    const res = await http()
      .post(`/api/v1/projects/${p.id}/sources`)
      .set(p.auth)
      .send({ name: 'bad', type: 'pub_sub', pub_sub: { type: 'amqp', amqp: { host: '127.0.0.1', port: '1', queue: `caravan-t-${run}-x` } } })
      .expect(400);
    expect(res.body.code).toBe('broker_unreachable');
    expect(res.body.message).toMatch(/ECONNREFUSED/);
    const wrongPw = await http()
      .post(`/api/v1/projects/${p.id}/sources`)
      .set(p.auth)
      .send({
        name: 'bad',
        type: 'pub_sub',
        pub_sub: { type: 'amqp', amqp: { host: '127.0.0.1', queue: `caravan-t-${run}-x`, auth: { user: 'guest', password: 'not-the-password' } } },
      })
      .expect(400);
    expect(wrongPw.body.message).toMatch(/ACCESS_REFUSED|refused/i);
    // Kafka: no broker runs here, but the real client's refusal is what the API answers with
    const kafka = await http()
      .post(`/api/v1/projects/${p.id}/sources`)
      .set(p.auth)
      .send({ name: 'k', type: 'pub_sub', pub_sub: { type: 'kafka', kafka: { brokers: ['127.0.0.1:1'], consumer_group_id: 'g', topic_name: 't' } } })
      .expect(400);
    expect(kafka.body.code).toBe('broker_unreachable');
    const missing = await http()
      .post(`/api/v1/projects/${p.id}/sources`)
      .set(p.auth)
      .send({ name: 'x', type: 'pub_sub', pub_sub: { type: 'amqp' } })
      .expect(400);
    expect(missing.body.message).toContain('pub_sub.amqp is required');
    const proj = await http()
      .post('/api/v1/projects')
      .set({ Authorization: `Bearer ${TEST_ADMIN_KEY}` })
      .send({ name: 'in', type: 'incoming' })
      .expect(201);
    const inc = { Authorization: `Bearer ${proj.body.data.api_key.key}` };
    const refused = await http()
      .post(`/api/v1/projects/${proj.body.data.project.uid}/sources`)
      .set(inc)
      .send({ name: 'x', type: 'pub_sub', pub_sub: { type: 'amqp', amqp: { host: '127.0.0.1', queue: 'q' } } })
      .expect(400);
    expect(refused.body.message).toContain('pub_sub sources belong to outgoing projects');
  });

  it('turns RabbitMQ messages into events once each, records malformed ones and dead-letters them', async () => {
    const p = await createTestProject(h.api.getHttpServer(), {}, 'brokers');
    const sink = await sinks.start();
    const ep = await endpoint(p, sink);
    const queue = `caravan-t-${run}-q`;
    const dlx = `caravan-t-${run}-dlx`;
    const dlq = `caravan-t-${run}-dlq`;
    queues.push(queue, dlq);
    exchanges.push(dlx);
    await ch.assertExchange(dlx, 'fanout', { durable: false, autoDelete: false });
    await ch.assertQueue(dlq, { durable: false });
    await ch.bindQueue(dlq, dlx, '');

    const res = await http()
      .post(`/api/v1/projects/${p.id}/sources`)
      .set(p.auth)
      .send({
        name: 'rabbit',
        type: 'pub_sub',
        pub_sub: {
          type: 'amqp',
          workers: 2,
          amqp: { host: '127.0.0.1', port: '5672', queue, auth: { user: 'guest', password: 'guest' }, deadLetterExchange: dlx },
        },
      })
      .expect(201);
    const source = res.body.data;
    expect(source.type).toBe('pub_sub');
    expect(source.pub_sub.amqp).toMatchObject({ host: '127.0.0.1', queue, auth: { user: 'guest' }, deadLetterExchange: dlx });
    expect(JSON.stringify(res.body)).not.toContain('"password"');
    const stored = await db.query(`SELECT pub_sub FROM sources WHERE id = $1`, [source.uid]);
    expect(JSON.stringify(stored.rows[0].pub_sub.amqp.auth)).not.toContain('"guest"}');
    expect(stored.rows[0].pub_sub.amqp.auth.password).not.toBe('guest');

    const good = { endpoint_id: ep, event_type: 'invoice.paid', data: { n: 1 } };
    await publish(queue, good, { messageId: `m-${run}-1`, headers: { 'X-Tenant': 'acme' } });
    // the same message again (as a redelivery after a lost ack would be): the same event
    await publish(queue, good, { messageId: `m-${run}-1`, headers: { 'X-Tenant': 'acme' } });
    await publish(queue, { ...good, data: { n: 2 } }, { messageId: `m-${run}-2` });
    await publish(queue, { ...good, unexpected: true }, { messageId: `m-${run}-bad` });
    await publish(queue, 'not json', { messageId: `m-${run}-notjson` });

    const events = await waitUntil(
      'two events',
      async () => {
        const e = await eventsOf(source.uid);
        return e.length >= 2 ? e : undefined;
      },
      WAIT_MS,
    );
    await waitUntil('both delivered', () => Promise.resolve(sink.receipts.length >= 2), WAIT_MS);
    const rejections = await waitUntil(
      'two rejections',
      async () => {
        const r = await http().get(`/api/v1/projects/${p.id}/sources/${source.uid}/rejections`).set(p.auth).expect(200);
        return r.body.data.content.length >= 2 ? (r.body.data.content as { broker_message_id: string; reason: string; dead_lettered: boolean }[]) : undefined;
      },
      WAIT_MS,
    );
    expect(rejections.map((r) => r.broker_message_id).sort()).toEqual([`m-${run}-bad`, `m-${run}-notjson`]);
    expect(rejections.find((r) => r.broker_message_id === `m-${run}-bad`)?.reason).toContain('unknown fields: unexpected');
    expect(rejections.every((r) => r.dead_lettered)).toBe(true);
    const dead = await waitUntil(
      'two dead letters',
      async () => {
        const q = await ch.checkQueue(dlq);
        return q.messageCount >= 2 ? q.messageCount : undefined;
      },
      WAIT_MS,
    );
    expect(dead).toBe(2);

    // nothing more arrives: the duplicate stayed one event
    const after = await eventsOf(source.uid);
    expect(after.map((e) => e.broker_message_id).sort()).toEqual([`m-${run}-1`, `m-${run}-2`]);
    expect(events[0].headers).toMatchObject({ 'x-tenant': 'acme', 'x-broker-message-id': `m-${run}-1`, 'x-convoy-message-type': 'single' });
    const first = sink.receipts.find((r) => r.body === '{"n":1}');
    expect(first?.headers['x-tenant']).toBe('acme');
    expect((await ch.checkQueue(queue)).messageCount).toBe(0);
    const listed = await http().get(`/api/v1/projects/${p.id}/events?brokerMessageId=m-${run}-1`).set(p.auth).expect(200);
    expect(listed.body.data.content).toHaveLength(1);
    expect(listed.body.data.content[0].headers['x-broker-message-id']).toEqual(expect.anything());
    expect(sink.receipts.filter((r) => r.body === '{"n":1}')).toHaveLength(1);
  });

  it('restarts consumers when a source changes: a broadcast through a body function', async () => {
    const p = await createTestProject(h.api.getHttpServer(), {}, 'brokers');
    const sink = await sinks.start();
    const ep = await endpoint(p, sink);
    await http()
      .post(`/api/v1/projects/${p.id}/subscriptions`)
      .set(p.auth)
      .send({ name: 'all', endpoint_id: ep, filter_config: { event_types: ['*'] } })
      .expect(201);
    const before = `caravan-t-${run}-fn1`;
    const queue = `caravan-t-${run}-fn2`;
    queues.push(before, queue);
    const amqpOf = (q: string) => ({ type: 'amqp', amqp: { host: '127.0.0.1', queue: q, auth: { user: 'guest', password: 'guest' } } });
    const created = await http()
      .post(`/api/v1/projects/${p.id}/sources`)
      .set(p.auth)
      .send({
        name: 'fn',
        type: 'pub_sub',
        pub_sub: amqpOf(before),
        body_function: 'function transform(m) { return { event_type: m.kind, data: { wrapped: m.body } }; }',
      })
      .expect(201);
    const id = created.body.data.uid as string;
    // moved to another queue: only a restarted consumer reads it
    await http()
      .put(`/api/v1/projects/${p.id}/sources/${id}`)
      .set(p.auth)
      .send({ pub_sub: amqpOf(queue) })
      .expect(202);
    await publish(queue, { kind: 'user.created', body: { id: 7 } }, { messageId: `fn-${run}`, headers: { 'x-convoy-message-type': 'broadcast' } });
    await waitUntil('broadcast delivered', () => Promise.resolve(sink.receipts.find((r) => r.body === '{"wrapped":{"id":7}}')), WAIT_MS);
    expect(await eventsOf(id)).toHaveLength(1);
  });

  it('consumes a NATS JetStream durable consumer, once per message, and records what it refuses', async () => {
    const p = await createTestProject(h.api.getHttpServer(), {}, 'brokers');
    const sink = await sinks.start();
    const ep = await endpoint(p, sink, { owner_id: 'owner-1' });
    const stream = `CARAVAN_T_${run}`;
    const subject = `caravan.t.${run}`;
    streams.push(stream);
    const nc = await natsConnect({ servers: NATS_SERVER });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: stream, subjects: [`${subject}.>`] });
      const missing = await http()
        .post(`/api/v1/projects/${p.id}/sources`)
        .set(p.auth)
        .send({ name: 'n', type: 'pub_sub', pub_sub: { type: 'nats', nats: { servers: [NATS_SERVER], stream: `${stream}_NOPE`, consumer: 'caravan' } } })
        .expect(400);
      expect(missing.body.message).toMatch(/stream not found/i);
      const res = await http()
        .post(`/api/v1/projects/${p.id}/sources`)
        .set(p.auth)
        .send({
          name: 'n',
          type: 'pub_sub',
          pub_sub: { type: 'nats', nats: { servers: [NATS_SERVER], stream, consumer: 'caravan', subject_filter: `${subject}.>` } },
        })
        .expect(201);
      const id = res.body.data.uid as string;
      expect(res.body.data.pub_sub.nats).toMatchObject({ stream, consumer: 'caravan', subject_filter: `${subject}.>` });

      const js = (await import('@nats-io/jetstream')).jetstream(nc);
      const hdr = natsHeaders();
      hdr.set('x-convoy-message-type', 'fanout');
      hdr.set('Nats-Msg-Id', `n-${run}-1`);
      await js.publish(`${subject}.a`, JSON.stringify({ owner_id: 'owner-1', event_type: 'order.shipped', data: { o: 1 } }), { headers: hdr });
      await js.publish(`${subject}.b`, JSON.stringify({ endpoint_id: ep, event_type: 'order.shipped', data: { o: 2 } }));
      await js.publish(`${subject}.c`, JSON.stringify({ endpoint_id: 'no-such-endpoint', event_type: 'x', data: {} }));

      await waitUntil('two deliveries', () => Promise.resolve(sink.receipts.length >= 2), WAIT_MS);
      const events = await waitUntil(
        'two events',
        async () => {
          const e = await eventsOf(id);
          return e.length >= 2 ? e : undefined;
        },
        WAIT_MS,
      );
      expect(events.map((e) => e.broker_message_id)).toContain(`n-${run}-1`);
      expect(events.map((e) => e.broker_message_id)).toContain(`${stream}:2`);
      const rejected = await waitUntil(
        'one rejection',
        async () => {
          const r = await http().get(`/api/v1/projects/${p.id}/sources/${id}/rejections`).set(p.auth).expect(200);
          return r.body.data.content.length >= 1 ? r.body.data.content : undefined;
        },
        WAIT_MS,
      );
      expect(rejected[0]).toMatchObject({ broker_message_id: `${stream}:3`, dead_lettered: false });
      expect(rejected[0].reason).toMatch(/endpoint not found/);
      await waitUntil('all acked', async () => (await jsm.consumers.info(stream, 'caravan')).num_ack_pending === 0, WAIT_MS);
      expect((await jsm.consumers.info(stream, 'caravan')).num_pending).toBe(0);

      // deleting the source stops its consumers
      await http().delete(`/api/v1/projects/${p.id}/sources/${id}`).set(p.auth).expect(200);
      await waitUntil(
        'consumer gone',
        async () => {
          const info = await jsm.consumers.info(stream, 'caravan');
          return info.num_waiting === 0;
        },
        WAIT_MS,
      );
    } finally {
      await nc.close();
    }
  });
});
