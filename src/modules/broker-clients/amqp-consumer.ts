import { Channel, ChannelModel, connect, ConsumeMessage } from 'amqplib';
import {
  AmqpSettings,
  BrokerConsumer,
  BrokerUnreachable,
  ConsumerLog,
  headerText,
  MessageHandler,
  reconnectDelay,
  sleep,
  withTimeout,
} from './broker-settings';

const CONNECT_TIMEOUT_MS = 10_000;
const STOP_WAIT_MS = 10_000;

function amqpUrl(s: AmqpSettings): string {
  const auth = s.auth ? `${encodeURIComponent(s.auth.user)}:${encodeURIComponent(s.auth.password)}@` : '';
  const host = s.host.includes(':') && !s.host.startsWith('[') ? `[${s.host}]` : s.host;
  return `${s.schema}://${auth}${host}:${s.port}/${encodeURIComponent(s.vhost)}?heartbeat=30`;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Declares the queue as the consumer will use it (durable, with its dead-letter exchange) and binds it. */
async function prepareQueue(ch: Channel, s: AmqpSettings): Promise<void> {
  await ch.assertQueue(s.queue, { durable: true, arguments: s.deadLetterExchange ? { 'x-dead-letter-exchange': s.deadLetterExchange } : {} });
  if (s.bindExchange) await ch.bindQueue(s.queue, s.bindExchange.exchange, s.bindExchange.routingKey);
}

/** Connects, opens a channel and declares the queue, as the consumer would; throws BrokerUnreachable with the broker's reason. */
export async function checkAmqp(s: AmqpSettings): Promise<void> {
  let conn: ChannelModel | undefined;
  try {
    conn = await withTimeout('amqp connect', CONNECT_TIMEOUT_MS, connect(amqpUrl(s), { timeout: CONNECT_TIMEOUT_MS }));
    conn.on('error', () => undefined);
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    await withTimeout('amqp queue declare', CONNECT_TIMEOUT_MS, prepareQueue(ch, s));
  } catch (e) {
    throw e instanceof BrokerUnreachable ? e : new BrokerUnreachable(reason(e));
  } finally {
    await conn?.close().catch(() => undefined);
  }
}

/**
 * One AMQP consumer: manual acks, `prefetch` unacknowledged messages at most. A message is
 * acked only once its handler says it is stored; `retry` is a nack with requeue and
 * `dead-letter` a nack without, which RabbitMQ routes to the queue's dead-letter exchange.
 */
export class AmqpConsumer implements BrokerConsumer {
  readonly deadLetters: boolean;
  private readonly stopping = new AbortController();
  private conn?: ChannelModel;
  private channel?: Channel;
  private consumerTag?: string;
  private readonly inFlight = new Set<Promise<void>>();
  private loop?: Promise<void>;

  constructor(
    private readonly s: AmqpSettings,
    private readonly prefetch: number,
    private readonly handler: MessageHandler,
    private readonly log: ConsumerLog,
  ) {
    this.deadLetters = s.deadLetterExchange !== null;
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    if (this.channel && this.consumerTag) await this.channel.cancel(this.consumerTag).catch(() => undefined);
    await withTimeout('amqp drain', STOP_WAIT_MS, Promise.allSettled([...this.inFlight])).catch(() => undefined);
    await this.conn?.close().catch(() => undefined);
    await this.loop;
  }

  async lag(): Promise<number | undefined> {
    if (!this.channel) return undefined;
    try {
      return (await this.channel.checkQueue(this.s.queue)).messageCount;
    } catch {
      return undefined;
    }
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopping.signal.aborted; attempt++) {
      try {
        await this.session(() => (attempt = 0));
      } catch (e) {
        if (!this.stopping.signal.aborted) this.log.warn(`amqp queue ${this.s.queue}: ${reason(e)}; reconnecting`);
      }
      this.channel = undefined;
      await sleep(reconnectDelay(attempt), this.stopping.signal);
    }
  }

  /** Consumes until the connection or channel closes. */
  private async session(connected: () => void): Promise<void> {
    const conn = await withTimeout('amqp connect', CONNECT_TIMEOUT_MS, connect(amqpUrl(this.s), { timeout: CONNECT_TIMEOUT_MS }));
    this.conn = conn;
    try {
      const closed = new Promise<void>((resolve) => {
        conn.on('close', () => resolve());
        conn.on('error', (e: Error) => this.log.warn(`amqp queue ${this.s.queue}: ${e.message}`));
      });
      const ch = await conn.createChannel();
      const chClosed = new Promise<void>((resolve) => ch.on('close', () => resolve()));
      ch.on('error', (e: Error) => this.log.warn(`amqp channel of ${this.s.queue}: ${e.message}`));
      await ch.prefetch(this.prefetch);
      await prepareQueue(ch, this.s);
      if (this.stopping.signal.aborted) return;
      this.channel = ch;
      const { consumerTag } = await ch.consume(this.s.queue, (m) => m && this.track(ch, m), { noAck: false });
      this.consumerTag = consumerTag;
      connected();
      await Promise.race([closed, chClosed]);
      // what is still in hand was not acked: the broker requeues it
    } finally {
      await conn.close().catch(() => undefined);
    }
  }

  private track(ch: Channel, m: ConsumeMessage): void {
    const p = this.handle(ch, m).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async handle(ch: Channel, m: ConsumeMessage): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.properties.headers ?? {})) {
      const text = headerText(v);
      if (text !== undefined) headers[k] = text;
    }
    const messageId = typeof m.properties.messageId === 'string' && m.properties.messageId !== '' ? m.properties.messageId : undefined;
    let settle;
    try {
      settle = await this.handler({ body: m.content, headers, messageId, redelivered: m.fields.redelivered });
    } catch (e) {
      this.log.warn(`amqp queue ${this.s.queue}: handler failed: ${reason(e)}`);
      settle = 'retry' as const;
    }
    try {
      if (settle === 'ack') ch.ack(m);
      else ch.nack(m, false, settle === 'retry');
    } catch (e) {
      // the channel is gone: the broker redelivers, and the event it became is found again by its message id
      this.log.warn(`amqp queue ${this.s.queue}: could not settle a message: ${reason(e)}`);
    }
  }
}
