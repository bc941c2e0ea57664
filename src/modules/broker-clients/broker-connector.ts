import { AmqpConsumer, checkAmqp } from './amqp-consumer';
import { BrokerConsumer, ConsumerLog, MessageHandler, PubSubSettings } from './broker-settings';
import { checkGoogle, GoogleConsumer } from './google-consumer';
import { checkKafka, KafkaBrokerConsumer } from './kafka-consumer';
import { checkNats, NatsConsumer } from './nats-consumer';
import { checkSqs, SqsConsumer } from './sqs-consumer';

/** Tries the broker as a consumer would (connect, authenticate, find or declare its queue or consumer). */
export async function checkBroker(s: PubSubSettings): Promise<void> {
  switch (s.type) {
    case 'amqp':
      return checkAmqp(s.amqp!);
    case 'nats':
      return checkNats(s.nats!, s.prefetch * 4);
    case 'sqs':
      return checkSqs(s.sqs!);
    case 'google':
      return checkGoogle(s.google!);
    case 'kafka':
      return checkKafka(s.kafka!);
  }
}

export interface ConsumerOptions {
  log: ConsumerLog;
  /** how long a broker that can delay a redelivery (JetStream) should wait after a transient failure */
  retryDelayMs: () => number;
}

export function createConsumer(s: PubSubSettings, handler: MessageHandler, opts: ConsumerOptions): BrokerConsumer {
  switch (s.type) {
    case 'amqp':
      return new AmqpConsumer(s.amqp!, s.prefetch, handler, opts.log);
    case 'nats':
      return new NatsConsumer(s.nats!, s.prefetch, handler, opts.log, opts.retryDelayMs);
    case 'sqs':
      return new SqsConsumer(s.sqs!, s.prefetch, handler, opts.log);
    case 'google':
      return new GoogleConsumer(s.google!, s.prefetch, handler, opts.log);
    case 'kafka':
      return new KafkaBrokerConsumer(s.kafka!, s.prefetch, handler, opts.log, opts.retryDelayMs);
  }
}
