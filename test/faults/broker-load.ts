import { connect, ChannelModel, ConfirmChannel } from 'amqplib';
import type { ApiClient, Project, SentEvent } from './load';

/** The machine's RabbitMQ; every run uses queues of its own and deletes them. */
export const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

export interface BrokerSource {
  id: string;
  queue: string;
}

/** A pub/sub source on a queue of its own; creating it declares the queue (the connection check). */
export async function amqpSource(api: ApiClient, p: Project, queue: string): Promise<BrokerSource> {
  const src = await api.call<{ uid: string }>('POST', `/api/v1/projects/${p.id}/sources`, p.key, {
    name: `${queue}-source`,
    type: 'pub_sub',
    pub_sub: { type: 'amqp', workers: 2, amqp: { schema: 'amqp', host: '127.0.0.1', port: '5672', queue, auth: { user: 'guest', password: 'guest' } } },
  });
  return { id: src.uid, queue };
}

/**
 * Publishes as a careful producer does: persistent messages with their own id, and an
 * event counts as acknowledged when RabbitMQ confirms it (from then on the broker holds it).
 */
export class AmqpPublisher {
  private constructor(
    private readonly conn: ChannelModel,
    private readonly ch: ConfirmChannel,
  ) {}

  static async open(): Promise<AmqpPublisher> {
    const conn = await connect(AMQP_URL);
    return new AmqpPublisher(conn, await conn.createConfirmChannel());
  }

  async publish(queue: string, ev: SentEvent): Promise<void> {
    const body = JSON.stringify({ event_type: 'fault.test', data: { fid: ev.fid, fault: ev.fault }, idempotency_key: ev.idempotencyKey });
    ev.calls++;
    await new Promise<void>((resolve, reject) =>
      this.ch.sendToQueue(
        queue,
        Buffer.from(body),
        { persistent: true, messageId: ev.idempotencyKey, headers: { 'x-convoy-message-type': 'broadcast' } },
        (err) => (err ? reject(err as Error) : resolve()),
      ),
    );
    if (!ev.acked) ev.ackedAt = Date.now();
    ev.acked = true;
  }

  /** Messages still waiting on the queue (not yet taken by a consumer). */
  async waiting(queue: string): Promise<number> {
    return (await this.ch.checkQueue(queue)).messageCount;
  }

  async close(queue: string): Promise<void> {
    await this.ch.deleteQueue(queue).catch(() => undefined);
    await this.conn.close().catch(() => undefined);
  }
}
