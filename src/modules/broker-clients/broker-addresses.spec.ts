import { parseAllowList, parseIpStrict } from '../../../libs/ssrf';
import type { IpAddress } from '../../../libs/ssrf';
import { BrokerAddressRefused, brokerTargets, checkBrokerAddresses } from './broker-addresses';
import type { PubSubSettings } from './broker-settings';

const amqp = (host: string, port = '5672'): PubSubSettings => ({
  type: 'amqp',
  workers: 1,
  prefetch: 10,
  amqp: { schema: 'amqp', host, port, vhost: '/', queue: 'q', auth: null, bindExchange: null, deadLetterExchange: null },
});
const kafka = (brokers: string[]): PubSubSettings => ({
  type: 'kafka',
  workers: 1,
  prefetch: 10,
  kafka: { brokers, consumer_group_id: 'g', topic_name: 't', auth: null },
});
const none = parseAllowList([]);
/** no DNS in these tests: names resolve to what the test says */
const resolvesTo =
  (...ips: string[]) =>
  (): Promise<IpAddress[]> =>
    Promise.resolve(ips.map((ip) => parseIpStrict(ip)!));

async function refusal(p: Promise<void>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BrokerAddressRefused);
    return (e as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('checkBrokerAddresses', () => {
  it('lists the hosts each broker type dials, with their default ports', () => {
    expect(brokerTargets(amqp('mq.example.com', ''))).toEqual([{ host: 'mq.example.com', port: 5672 }]);
    expect(brokerTargets(kafka(['k1.example.com', 'k2.example.com:9093']))).toEqual([
      { host: 'k1.example.com', port: 9092 },
      { host: 'k2.example.com', port: 9093 },
    ]);
    const nats: PubSubSettings = {
      type: 'nats',
      workers: 1,
      prefetch: 10,
      nats: { servers: ['nats://n.example.com', 'tls://[2001:db8::1]:4333'], stream: 's', consumer: 'c', subject_filter: null, credentials: null },
    };
    expect(brokerTargets(nats)).toEqual([
      { host: 'n.example.com', port: 4222 },
      { host: '[2001:db8::1]', port: 4333 },
    ]);
    const sqs = (endpoint: string | null): PubSubSettings => ({
      type: 'sqs',
      workers: 1,
      prefetch: 10,
      sqs: { access_key_id: 'a', secret_key: 's', default_region: 'eu-west-1', queue_name: 'q', endpoint },
    });
    expect(brokerTargets(sqs(null))).toEqual([]);
    expect(brokerTargets(sqs('http://sqs.internal:9324'))).toEqual([{ host: 'sqs.internal', port: 9324 }]);
  });

  it('takes a broker whose every address is global unicast', async () => {
    await expect(checkBrokerAddresses(amqp('mq.example.com'), none, resolvesTo('8.8.8.8'))).resolves.toBeUndefined();
  });

  it('refuses private, loopback and metadata addresses, by literal or by name, naming BROKER_ALLOW', async () => {
    expect(await refusal(checkBrokerAddresses(amqp('10.1.2.3'), none, resolvesTo()))).toMatch(/10\.1\.2\.3.*private.*BROKER_ALLOW/);
    expect(await refusal(checkBrokerAddresses(amqp('127.0.0.1'), none, resolvesTo()))).toMatch(/loopback/);
    expect(await refusal(checkBrokerAddresses(amqp('mq.example.com'), none, resolvesTo('169.254.169.254')))).toMatch(/169\.254\.169\.254/);
    // one bad answer among good ones refuses the host (what DNS rebinding looks like)
    await refusal(checkBrokerAddresses(kafka(['k.example.com']), none, resolvesTo('8.8.8.8', '192.168.0.9')));
  });

  it('takes what BROKER_ALLOW lists, as a range or an exact pair', async () => {
    await expect(checkBrokerAddresses(amqp('10.1.2.3'), parseAllowList(['10.0.0.0/8']), resolvesTo())).resolves.toBeUndefined();
    await expect(checkBrokerAddresses(amqp('10.1.2.3', '5672'), parseAllowList(['10.1.2.3:5672']), resolvesTo())).resolves.toBeUndefined();
    await refusal(checkBrokerAddresses(amqp('10.1.2.3', '5673'), parseAllowList(['10.1.2.3:5672']), resolvesTo()));
  });

  it('refuses a host that does not resolve or is malformed', async () => {
    const failing = (): Promise<IpAddress[]> => Promise.reject(new Error('ENOTFOUND'));
    expect(await refusal(checkBrokerAddresses(amqp('nowhere.example.com'), none, failing))).toMatch(/could not be resolved/);
    await refusal(checkBrokerAddresses(amqp('bad host'), none, resolvesTo()));
  });
});
