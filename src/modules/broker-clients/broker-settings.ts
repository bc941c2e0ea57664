/**
 * A pub/sub source's broker settings with their secrets in the clear: what a consumer
 * and a connection check need. They exist only in memory; at rest the secrets are sealed
 * (see the sources module).
 */
export const BROKER_TYPES = ['amqp', 'nats', 'sqs', 'google', 'kafka'] as const;
export type BrokerType = (typeof BROKER_TYPES)[number];

export interface AmqpSettings {
  schema: 'amqp' | 'amqps';
  host: string;
  port: string;
  vhost: string;
  queue: string;
  auth: { user: string; password: string } | null;
  /** the queue is bound to this exchange with this routing key (Convoy's `bindExchange`) */
  bindExchange: { exchange: string; routingKey: string } | null;
  /** the queue's `x-dead-letter-exchange`: permanent failures are dead-lettered there */
  deadLetterExchange: string | null;
}

export interface NatsSettings {
  servers: string[];
  stream: string;
  /** a durable pull consumer on the stream, created (explicit acks) when missing */
  consumer: string;
  subject_filter: string | null;
  credentials: { user: string; password: string } | { token: string } | null;
}

export interface SqsSettings {
  access_key_id: string;
  secret_key: string;
  default_region: string;
  queue_name: string;
  /** another SQS endpoint (an emulator, LocalStack, a VPC endpoint); default AWS's for the region */
  endpoint: string | null;
}

export interface GoogleSettings {
  project_id: string;
  subscription_id: string;
  /** the service account's JSON key; null with an emulator (PUBSUB_EMULATOR_HOST) */
  service_account: string | null;
}

export interface KafkaSettings {
  brokers: string[];
  consumer_group_id: string;
  topic_name: string;
  auth: { type: 'plain' | 'scram'; hash: 'SHA256' | 'SHA512'; username: string; password: string; tls: boolean } | null;
}

export interface PubSubSettings {
  type: BrokerType;
  /** consumers per source in each worker process (Convoy's `workers`) */
  workers: number;
  /** unacknowledged messages one consumer holds at most */
  prefetch: number;
  amqp?: AmqpSettings;
  nats?: NatsSettings;
  sqs?: SqsSettings;
  google?: GoogleSettings;
  kafka?: KafkaSettings;
}

/** A message as a consumer hands it over, before any of Caravan's rules ran. */
export interface BrokerMessage {
  body: Buffer;
  /** the broker's headers or attributes, as strings */
  headers: Record<string, string>;
  /** the broker's id of the message, stable across redeliveries; undefined when it has none */
  messageId: string | undefined;
  redelivered: boolean;
}

/**
 * What becomes of a message once handled: `ack` (stored, or recorded as rejected),
 * `dead-letter` (handed to the broker's dead-letter route), `retry` (not acknowledged:
 * the broker delivers it again).
 */
export type Settlement = 'ack' | 'dead-letter' | 'retry';

export type MessageHandler = (m: BrokerMessage) => Promise<Settlement>;

export interface BrokerConsumer {
  /** whether `dead-letter` reaches a dead-letter route of the broker's own */
  readonly deadLetters: boolean;
  /** connects and consumes in the background, reconnecting with backoff until stopped */
  start(): void;
  /** stops taking messages, waits (bounded) for those in hand, then disconnects */
  stop(): Promise<void>;
  /** messages waiting on the broker, when it says */
  lag(): Promise<number | undefined>;
}

/** The broker refused or could not be reached; the message is the broker's reason. */
export class BrokerUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnreachable';
  }
}

export interface ConsumerLog {
  warn(message: string): void;
  log(message: string): void;
}

/** Header or attribute values of any broker, as the strings outbound headers need. */
export function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Rejects after `ms` with BrokerUnreachable, so no check waits on a silent broker. */
export async function withTimeout<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BrokerUnreachable(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reconnect delays: 0.5 s doubling to 30 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
}
