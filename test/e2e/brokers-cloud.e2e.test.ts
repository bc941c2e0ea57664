import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PubSub } from '@google-cloud/pubsub';
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { createTestProject, freePort, PipelineHarness, Sinks, startPipelineHarness, TestProject, waitUntil, WebhookSink } from '../../libs/testing';
import { createApiApp } from '../../src/app/api.bootstrap';
import { createWorkerApp } from '../../src/app/worker.bootstrap';

/**
 * Pub/sub sources of type `sqs` and `google` against emulators that speak the real
 * protocols to the real clients: fauxqs (SQS) in a child process on loopback, and Google's
 * Pub/Sub emulator (the gcloud SDK's, Java) started here on a spare loopback port. Both are
 * stopped in teardown.
 */
const PUBSUB_EMULATOR = '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';
const START_TIMEOUT_MS = 30_000;

/** Resolves when `child` prints a line matching `ready` (or rejects after a bounded wait). */
function waitForOutput(child: ChildProcess, ready: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`not ready within ${START_TIMEOUT_MS} ms: ${seen.slice(-500)}`)), START_TIMEOUT_MS);
    const onData = (d: Buffer) => {
      seen += d.toString();
      const m = ready.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] ?? m[0]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}: ${seen.slice(-500)}`));
    });
  });
}

function kill(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

describe('pub/sub sources (e2e, SQS and Google Pub/Sub emulators)', () => {
  let h: PipelineHarness;
  let db: Client;
  let fauxqs: ChildProcess | undefined;
  let emulator: ChildProcess | undefined;
  let sqsEndpoint: string;
  let sqs: SQSClient;
  let pubsub: PubSub;
  const sinks = new Sinks();
  const run = randomBytes(4).toString('hex');
  const http = () => request(h.api.getHttpServer());

  async function endpoint(p: TestProject, sink: WebhookSink): Promise<string> {
    const res = await http()
      .post(`/api/v1/projects/${p.id}/endpoints`)
      .set(p.auth)
      .send({ name: `ep-${sink.url}`, url: sink.url })
      .expect(201);
    return res.body.data.uid as string;
  }

  async function eventsOf(sourceId: string): Promise<{ broker_message_id: string | null; headers: Record<string, string>; raw: string }[]> {
    return (await db.query(`SELECT broker_message_id, headers, raw FROM events WHERE source_id = $1 ORDER BY id`, [sourceId])).rows;
  }

  async function rejectionsOf(p: TestProject, sourceId: string): Promise<{ reason: string; broker_message_id: string | null }[]> {
    const r = await http().get(`/api/v1/projects/${p.id}/sources/${sourceId}/rejections`).set(p.auth).expect(200);
    return r.body.data.content;
  }

  beforeAll(async () => {
    fauxqs = spawn(process.execPath, [join(__dirname, '..', 'support', 'fauxqs-loopback.mjs')], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    sqsEndpoint = `http://127.0.0.1:${await waitForOutput(fauxqs, /^(\d+)\n/m)}`;
    sqs = new SQSClient({ region: 'us-east-1', endpoint: sqsEndpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

    if (!existsSync(PUBSUB_EMULATOR)) throw new Error(`the Pub/Sub emulator is not installed at ${PUBSUB_EMULATOR}`);
    const port = await freePort();
    emulator = spawn(PUBSUB_EMULATOR, [`--host=127.0.0.1`, `--port=${port}`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    await waitForOutput(emulator, /Server started, listening on (\d+)/);
    // the Google client library reads this itself, in the test's clients and in Caravan's consumers
    process.env.PUBSUB_EMULATOR_HOST = `127.0.0.1:${port}`;
    pubsub = new PubSub({ projectId: 'caravan-test' });

    h = await startPipelineHarness(createApiApp, createWorkerApp, { egressAllow: ['127.0.0.0/8'], brokerAllow: ['127.0.0.0/8'], brokerSourcePollMs: 60_000 });
    db = new Client({ connectionString: h.db.url });
    await db.connect();
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await h?.close();
    await sinks.stopAll();
    await pubsub?.close().catch(() => undefined);
    sqs?.destroy();
    kill(emulator);
    kill(fauxqs);
    delete process.env.PUBSUB_EMULATOR_HOST;
  });

  it('consumes an SQS queue: attributes become headers, the message id is kept, bad messages are recorded and deleted', async () => {
    const p = await createTestProject(h.api.getHttpServer(), {}, 'sqs');
    const sink = await sinks.start();
    const ep = await endpoint(p, sink);
    const queueName = `caravan-t-${run}`;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName, Attributes: { VisibilityTimeout: '5' } }));
    try {
      const wrong = await http()
        .post(`/api/v1/projects/${p.id}/sources`)
        .set(p.auth)
        .send({
          name: 'q',
          type: 'pub_sub',
          pub_sub: {
            type: 'sqs',
            sqs: { access_key_id: 'k', secret_key: 's', default_region: 'us-east-1', queue_name: `${queueName}-nope`, endpoint: sqsEndpoint },
          },
        })
        .expect(400);
      expect(wrong.body.code).toBe('broker_unreachable');
      const res = await http()
        .post(`/api/v1/projects/${p.id}/sources`)
        .set(p.auth)
        .send({
          name: 'q',
          type: 'pub_sub',
          pub_sub: {
            type: 'sqs',
            sqs: { access_key_id: 'k', secret_key: 'sqs-secret-1', default_region: 'us-east-1', queue_name: queueName, endpoint: sqsEndpoint },
          },
        })
        .expect(201);
      const id = res.body.data.uid as string;
      expect(res.body.data.pub_sub.sqs).toEqual({ access_key_id: 'k', default_region: 'us-east-1', queue_name: queueName, endpoint: sqsEndpoint });
      expect(JSON.stringify(res.body)).not.toContain('sqs-secret-1');
      const stored = await db.query(`SELECT pub_sub::text AS t FROM sources WHERE id = $1`, [id]);
      expect(stored.rows[0].t).not.toContain('sqs-secret-1');

      const sent = await sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: JSON.stringify({ endpoint_id: ep, event_type: 'order.paid', data: { o: 1 } }),
          MessageAttributes: { 'X-Region': { DataType: 'String', StringValue: 'eu' } },
        }),
      );
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ event_type: 'order.paid', data: {} }) }));

      await waitUntil('delivered', () => Promise.resolve(sink.receipts.find((r) => r.body === '{"o":1}')), 20_000);
      const events = await eventsOf(id);
      expect(events).toHaveLength(1);
      expect(events[0].broker_message_id).toBe(sent.MessageId);
      expect(events[0].headers).toMatchObject({ 'x-region': 'eu', 'x-broker-message-id': sent.MessageId });
      const rejected = await waitUntil('rejected', async () => ((await rejectionsOf(p, id)).length > 0 ? rejectionsOf(p, id) : undefined), 20_000);
      expect(rejected[0].reason).toContain('endpoint_id');
      await waitUntil(
        'queue drained',
        async () => {
          const a = await sqs.send(
            new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
          );
          return a.Attributes?.ApproximateNumberOfMessages === '0' && a.Attributes?.ApproximateNumberOfMessagesNotVisible === '0';
        },
        20_000,
      );
      await http().delete(`/api/v1/projects/${p.id}/sources/${id}`).set(p.auth).expect(200);
    } finally {
      await sqs.send(new DeleteQueueCommand({ QueueUrl })).catch(() => undefined);
    }
  });

  it('consumes a Google Pub/Sub subscription: fanout by attribute, the message id kept, bad messages recorded and acked', async () => {
    const p = await createTestProject(h.api.getHttpServer(), {}, 'gcp');
    const sink = await sinks.start();
    await http().post(`/api/v1/projects/${p.id}/endpoints`).set(p.auth).send({ name: 'o', url: sink.url, owner_id: 'tenant-9' }).expect(201);
    const [topic] = await pubsub.createTopic(`caravan-t-${run}`);
    const [subscription] = await topic.createSubscription(`caravan-t-${run}-sub`);
    try {
      const missing = await http()
        .post(`/api/v1/projects/${p.id}/sources`)
        .set(p.auth)
        .send({ name: 'g', type: 'pub_sub', pub_sub: { type: 'google', google: { project_id: 'caravan-test', subscription_id: `caravan-t-${run}-nope` } } })
        .expect(400);
      expect(missing.body.message).toMatch(/NOT_FOUND|not found/i);
      const res = await http()
        .post(`/api/v1/projects/${p.id}/sources`)
        .set(p.auth)
        .send({
          name: 'g',
          type: 'pub_sub',
          pub_sub: { type: 'google', workers: 1, google: { project_id: 'caravan-test', subscription_id: `caravan-t-${run}-sub` } },
        })
        .expect(201);
      const id = res.body.data.uid as string;

      const msgId = await topic.publishMessage({
        data: Buffer.from(JSON.stringify({ owner_id: 'tenant-9', event_type: 'user.updated', data: { u: 3 } })),
        attributes: { 'x-convoy-message-type': 'fanout', 'x-team': 'blue' },
      });
      await topic.publishMessage({ data: Buffer.from('{"event_type": "x", "data": 1, "nope": 2}') });

      await waitUntil('delivered', () => Promise.resolve(sink.receipts.find((r) => r.body === '{"u":3}')), 20_000);
      const events = await eventsOf(id);
      expect(events).toHaveLength(1);
      expect(events[0].broker_message_id).toBe(msgId);
      expect(events[0].headers).toMatchObject({ 'x-team': 'blue', 'x-convoy-message-type': 'fanout' });
      const rejected = await waitUntil('rejected', async () => ((await rejectionsOf(p, id)).length > 0 ? rejectionsOf(p, id) : undefined), 20_000);
      expect(rejected[0].reason).toContain('unknown fields: nope');
      await http().delete(`/api/v1/projects/${p.id}/sources/${id}`).set(p.auth).expect(200);
    } finally {
      await subscription.delete().catch(() => undefined);
      await topic.delete().catch(() => undefined);
    }
  });
});
