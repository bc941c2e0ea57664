import { AckPolicy, ConsumerMessages, JetStreamApiError, jetstream, jetstreamManager, JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { BrokerConsumer, BrokerUnreachable, ConsumerLog, MessageHandler, NatsSettings, reconnectDelay, sleep, withTimeout } from './broker-settings';

const CONNECT_TIMEOUT_MS = 10_000;
const STOP_WAIT_MS = 10_000;
const ACK_WAIT_NS = 30_000_000_000;
/** JetStream's 404 for a consumer that does not exist */
const CONSUMER_NOT_FOUND = 10014;

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function connectNats(s: NatsSettings, reconnect: boolean): Promise<NatsConnection> {
  const c = s.credentials;
  return connect({
    servers: s.servers,
    timeout: CONNECT_TIMEOUT_MS,
    reconnect,
    maxReconnectAttempts: reconnect ? -1 : 0,
    ...(c && 'token' in c ? { token: c.token } : {}),
    ...(c && 'user' in c ? { user: c.user, pass: c.password } : {}),
    name: 'caravan',
  });
}

/** The durable consumer, created with explicit acks when it is missing. */
async function ensureConsumer(nc: NatsConnection, s: NatsSettings, maxAckPending: number): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.info(s.stream);
  try {
    await jsm.consumers.info(s.stream, s.consumer);
  } catch (e) {
    if (!(e instanceof JetStreamApiError) || e.code !== CONSUMER_NOT_FOUND) throw e;
    await jsm.consumers.add(s.stream, {
      durable_name: s.consumer,
      ack_policy: AckPolicy.Explicit,
      ack_wait: ACK_WAIT_NS,
      max_ack_pending: maxAckPending,
      ...(s.subject_filter ? { filter_subject: s.subject_filter } : {}),
    });
  }
}

/** Connects and finds the stream (and the consumer, or creates it); throws BrokerUnreachable with the server's reason. */
export async function checkNats(s: NatsSettings, maxAckPending: number): Promise<void> {
  let nc: NatsConnection | undefined;
  try {
    nc = await withTimeout('nats connect', CONNECT_TIMEOUT_MS, connectNats(s, false));
    await withTimeout('nats stream look-up', CONNECT_TIMEOUT_MS, ensureConsumer(nc, s, maxAckPending));
  } catch (e) {
    throw e instanceof BrokerUnreachable ? e : new BrokerUnreachable(reason(e));
  } finally {
    await nc?.close().catch(() => undefined);
  }
}

/**
 * One JetStream pull consumer on a durable consumer: at most `prefetch` messages in hand.
 * A message is acked (and the ack confirmed) only once its handler says it is stored;
 * `retry` is a nak with a delay. JetStream has no dead-letter route of its own, so
 * permanent failures are recorded by the handler and then acked.
 */
export class NatsConsumer implements BrokerConsumer {
  readonly deadLetters = false;
  private readonly stopping = new AbortController();
  private nc?: NatsConnection;
  private messages?: ConsumerMessages;
  private readonly inFlight = new Set<Promise<void>>();
  private loop?: Promise<void>;

  constructor(
    private readonly s: NatsSettings,
    private readonly prefetch: number,
    private readonly handler: MessageHandler,
    private readonly log: ConsumerLog,
    private readonly retryDelayMs: () => number,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.messages?.stop();
    await withTimeout('nats drain', STOP_WAIT_MS, Promise.allSettled([...this.inFlight])).catch(() => undefined);
    await this.nc?.close().catch(() => undefined);
    await this.loop;
  }

  async lag(): Promise<number | undefined> {
    if (!this.nc || this.nc.isClosed()) return undefined;
    try {
      const jsm = await jetstreamManager(this.nc);
      return (await jsm.consumers.info(this.s.stream, this.s.consumer)).num_pending;
    } catch {
      return undefined;
    }
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopping.signal.aborted; attempt++) {
      try {
        await this.session(() => (attempt = 0));
      } catch (e) {
        if (!this.stopping.signal.aborted) this.log.warn(`nats consumer ${this.s.stream}/${this.s.consumer}: ${reason(e)}; reconnecting`);
      }
      await sleep(reconnectDelay(attempt), this.stopping.signal);
    }
  }

  private async session(connected: () => void): Promise<void> {
    const nc = await withTimeout('nats connect', CONNECT_TIMEOUT_MS, connectNats(this.s, true));
    this.nc = nc;
    try {
      await ensureConsumer(nc, this.s, this.prefetch * 4);
      const consumer = await jetstream(nc).consumers.get(this.s.stream, this.s.consumer);
      if (this.stopping.signal.aborted) return;
      const messages = await consumer.consume({ max_messages: this.prefetch });
      this.messages = messages;
      connected();
      for await (const m of messages) {
        if (this.stopping.signal.aborted) break;
        this.track(m);
        while (this.inFlight.size >= this.prefetch) await Promise.race(this.inFlight);
      }
    } finally {
      if (!this.stopping.signal.aborted) {
        await Promise.allSettled([...this.inFlight]);
        await nc.close().catch(() => undefined);
      }
    }
  }

  private track(m: JsMsg): void {
    const p = this.handle(m).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async handle(m: JsMsg): Promise<void> {
    const headers: Record<string, string> = {};
    const h = m.headers as MsgHdrs | undefined;
    if (h) for (const k of h.keys()) headers[k] = h.values(k).join(', ');
    const msgId = h?.get('Nats-Msg-Id');
    const messageId = msgId ? msgId : `${m.info.stream}:${m.seq}`;
    let settle;
    try {
      settle = await this.handler({ body: Buffer.from(m.data), headers, messageId, redelivered: m.redelivered });
    } catch (e) {
      this.log.warn(`nats consumer ${this.s.stream}/${this.s.consumer}: handler failed: ${reason(e)}`);
      settle = 'retry' as const;
    }
    try {
      if (settle === 'retry') m.nak(this.retryDelayMs());
      else if (!(await m.ackAck({ timeout: 5_000 }))) this.log.warn(`nats consumer ${this.s.stream}/${this.s.consumer}: an ack was not confirmed`);
    } catch (e) {
      // not acked: the server redelivers after ack_wait, and the event it became is found again by its message id
      this.log.warn(`nats consumer ${this.s.stream}/${this.s.consumer}: could not settle a message: ${reason(e)}`);
    }
  }
}
