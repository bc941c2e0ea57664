import { lookup } from 'node:dns/promises';
import { AllowList, formatIp, judgeAnswers, parseHost, parseIpStrict } from '../../../libs/ssrf';
import type { IpAddress } from '../../../libs/ssrf';
import type { PubSubSettings } from './broker-settings';

export interface BrokerTarget {
  host: string;
  port: number;
}

/** Resolves a host name to every address it has (tests pass their own). */
export type BrokerLookup = (host: string) => Promise<IpAddress[]>;

const systemLookup: BrokerLookup = async (host) =>
  (await lookup(host, { all: true, order: 'verbatim' })).flatMap((a) => {
    const ip = parseIpStrict(a.address);
    return ip ? [ip] : [];
  });

export class BrokerAddressRefused extends Error {}

/** `host:port`, `[v6]:port` or a URL; the port defaults to the broker's own. */
function target(text: string, defaultPort: number): BrokerTarget {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `tcp://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new BrokerAddressRefused(`"${text}" is not a host:port`);
  }
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : url.protocol === 'http:' ? 80 : defaultPort;
  return { host: url.hostname, port };
}

/**
 * The hosts a source's consumers dial, as far as Caravan can tell before the client library
 * does: AMQP's host, NATS servers, Kafka brokers, a custom SQS endpoint. AWS's own SQS
 * endpoints and Google's APIs are public services and not listed.
 */
export function brokerTargets(s: PubSubSettings): BrokerTarget[] {
  switch (s.type) {
    case 'amqp':
      return [{ host: s.amqp!.host, port: Number(s.amqp!.port) || (s.amqp!.schema === 'amqps' ? 5671 : 5672) }];
    case 'nats':
      return s.nats!.servers.map((server) => target(server, 4222));
    case 'kafka':
      return s.kafka!.brokers.map((b) => target(b, 9092));
    case 'sqs':
      return s.sqs!.endpoint ? [target(s.sqs!.endpoint, 443)] : [];
    case 'google':
      return [];
  }
}

/**
 * Broker hosts are tenant input, and the worker and the API's connection check dial them:
 * without a check a tenant could make Caravan connect into the operator's network (and read
 * the answer off the connection error). The same address policy as endpoints applies: every
 * address a host resolves to must be global unicast unless `BROKER_ALLOW` names it (or its
 * range). Brokers on a private network are the usual case, so operators list them there.
 * The client libraries resolve the host again when they dial, so a host whose answers
 * change between the check and the dial (DNS rebinding) is not covered by this check.
 */
export async function checkBrokerAddresses(s: PubSubSettings, allow: AllowList, resolve: BrokerLookup = systemLookup): Promise<void> {
  for (const t of brokerTargets(s)) {
    const parsed = parseHost(t.host.startsWith('[') || !t.host.includes(':') ? t.host : `[${t.host}]`);
    if (parsed.kind === 'invalid') throw new BrokerAddressRefused(`${t.host}: ${parsed.reason}`);
    let answers: IpAddress[];
    try {
      answers = parsed.kind === 'ip' ? [parsed.ip] : await resolve(parsed.name);
    } catch (e) {
      throw new BrokerAddressRefused(`${t.host} could not be resolved: ${(e as Error).message}`);
    }
    if (answers.length === 0) throw new BrokerAddressRefused(`${t.host} has no address`);
    const verdict = judgeAnswers(answers, t.port, { allow });
    if (!verdict.allowed)
      throw new BrokerAddressRefused(
        `${t.host}:${t.port} resolves to ${formatIp(verdict.address)}, a ${verdict.cls} address; add it to BROKER_ALLOW to consume from a broker there`,
      );
  }
}
