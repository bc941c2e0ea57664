import { Consumer, EachMessagePayload, Kafka, KafkaConfig, logLevel, SASLOptions } from 'kafkajs';
import { BrokerConsumer, BrokerUnreachable, ConsumerLog, headerText, KafkaSettings, MessageHandler, withTimeout } from './broker-settings';

const CHECK_TIMEOUT_MS = 10_000;
const STOP_WAIT_MS = 10_000;
const MAX_PARTITIONS_AT_ONCE = 16;

/** What the consumer uses of a kafkajs consumer; the tests drive it with a fake that keeps kafkajs's fetch and commit rules. */
export type KafkaClientConsumer = Pick<Consumer, 'connect' | 'subscribe' | 'run' | 'commitOffsets' | 'seek' | 'pause' | 'resume' | 'stop' | 'disconnect'>;

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function kafkaConfig(s: KafkaSettings): KafkaConfig {
  const a = s.auth;
  let sasl: SASLOptions | undefined;
  if (a) {
    sasl =
      a.type === 'plain'
        ? { mechanism: 'plain', username: a.username, password: a.password }
        : { mechanism: a.hash === 'SHA512' ? 'scram-sha-512' : 'scram-sha-256', username: a.username, password: a.password };
  }
  return {
    clientId: 'caravan',
    brokers: s.brokers,
    ssl: a?.tls ?? false,
    ...(sasl ? { sasl } : {}),
    connectionTimeout: CHECK_TIMEOUT_MS,
    retry: { retries: 2 },
    logLevel: logLevel.NOTHING,
  };
}

/** Connects and reads the topic's metadata; throws BrokerUnreachable with the cluster's reason. */
export async function checkKafka(s: KafkaSettings): Promise<void> {
  const admin = new Kafka(kafkaConfig(s)).admin();
  try {
    await withTimeout('kafka connect', CHECK_TIMEOUT_MS, admin.connect());
    await withTimeout('kafka topic look-up', CHECK_TIMEOUT_MS, admin.fetchTopicMetadata({ topics: [s.topic_name] }));
  } catch (e) {
    throw e instanceof BrokerUnreachable ? e : new BrokerUnreachable(reason(e));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export function kafkajsConsumer(s: KafkaSettings): KafkaClientConsumer {
  return new Kafka(kafkaConfig(s)).consumer({ groupId: s.consumer_group_id, allowAutoTopicCreation: false });
}

/**
 * One Kafka consumer-group member. Offsets are committed by hand, one message at a time
 * and only after its handler says it is stored (or recorded as rejected), so the group's
 * position never passes a message that is not in PostgreSQL. A transient failure pauses
 * the partition, seeks back to the failed offset and resumes after the store's backoff:
 * the same message comes again, never the ones after it first. The message id is
 * `<topic>:<partition>:<offset>`, the same on every redelivery.
 */
export class KafkaBrokerConsumer implements BrokerConsumer {
  readonly deadLetters = false;
  private consumer?: KafkaClientConsumer;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private starting?: Promise<void>;

  constructor(
    private readonly s: KafkaSettings,
    private readonly prefetch: number,
    private readonly handler: MessageHandler,
    private readonly log: ConsumerLog,
    private readonly retryDelayMs: () => number,
    private readonly makeConsumer: (s: KafkaSettings) => KafkaClientConsumer = kafkajsConsumer,
  ) {}

  start(): void {
    this.starting = this.open().catch((e: unknown) => this.log.warn(`kafka topic ${this.s.topic_name}: ${reason(e)}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await this.starting;
    await withTimeout('kafka drain', STOP_WAIT_MS, Promise.allSettled([...this.inFlight])).catch(() => undefined);
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /** Kafka's lag needs the group's offsets against the topic's ends: left to the cluster's own tooling. */
  lag(): Promise<number | undefined> {
    return Promise.resolve(undefined);
  }

  private async open(): Promise<void> {
    // kafkajs reconnects and rejoins the group by itself (restartOnFailure)
    const c = this.makeConsumer(this.s);
    this.consumer = c;
    await c.connect();
    await c.subscribe({ topics: [this.s.topic_name], fromBeginning: true });
    await c.run({
      autoCommit: false,
      partitionsConsumedConcurrently: Math.max(1, Math.min(this.prefetch, MAX_PARTITIONS_AT_ONCE)),
      eachMessage: (p) => this.track(c, p),
    });
  }

  private track(c: KafkaClientConsumer, p: EachMessagePayload): Promise<void> {
    const job = this.handle(c, p).finally(() => this.inFlight.delete(job));
    this.inFlight.add(job);
    return job;
  }

  private async handle(c: KafkaClientConsumer, { topic, partition, message }: EachMessagePayload): Promise<void> {
    if (this.stopped) return;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.headers ?? {})) {
      const text = Array.isArray(v) ? v.map((x) => headerText(x)).join(', ') : headerText(v);
      if (text !== undefined) headers[k] = text;
    }
    let settle;
    try {
      settle = await this.handler({
        body: message.value ?? Buffer.alloc(0),
        headers,
        messageId: `${topic}:${partition}:${message.offset}`,
        redelivered: false,
      });
    } catch (e) {
      this.log.warn(`kafka topic ${topic}: handler failed: ${reason(e)}`);
      settle = 'retry' as const;
    }
    if (settle === 'retry') {
      // not committed: come back to this offset, and only to this one, once the store answers
      c.pause([{ topic, partitions: [partition] }]);
      c.seek({ topic, partition, offset: message.offset });
      const t = setTimeout(() => {
        this.timers.delete(t);
        if (!this.stopped) c.resume([{ topic, partitions: [partition] }]);
      }, this.retryDelayMs());
      this.timers.add(t);
      return;
    }
    await c.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
  }
}
