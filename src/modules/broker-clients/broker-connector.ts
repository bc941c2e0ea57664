import { AmqpConsumer, checkAmqp } from './amqp-consumer';
import { BrokerConsumer, ConsumerLog, MessageHandler, PubSubSettings } from './broker-settings';
import { checkNats, NatsConsumer } from './nats-consumer';

/** Tries the broker as a consumer would (connect, authenticate, find or declare its queue or consumer). */
export async function checkBroker(s: PubSubSettings): Promise<void> {
  switch (s.type) {
    case 'amqp':
      return checkAmqp(s.amqp!);
    case 'nats':
      return checkNats(s.nats!, s.prefetch * 4);
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
  }
}
