import { lookup as dnsLookup } from 'node:dns/promises';
import { buildConnector } from 'undici';
import { parseAllowList } from './allow-list';
import { AddressClass } from './classify';
import { parseHost } from './host';
import { IpAddress, parseIpStrict, parseIpv6 } from './ip';
import { AddressPolicy, dialableAddress, judgeAnswers } from './policy';
import { EgressDeniedError, EgressLookupError } from './errors';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

export type HostLookup = (host: string) => Promise<ResolvedAddress[]>;

export interface GuardedConnectOptions {
  allow: string[];
  /** one resolution per dial; defaults to the system resolver (getaddrinfo) */
  lookup?: HostLookup;
  /** bounds the lookup and, separately, the TCP/TLS handshake */
  connectTimeoutMs: number;
  /** when set, ports that need no exact allow-list pair (the proxy's 80/443 rule) */
  ports?: readonly number[];
  /** replaces the address classifier; tests use it to stand in for a public address */
  classify?: (ip: IpAddress) => AddressClass;
  /**
   * Passed on to undici's connector (TLS `ca`, keep-alive...); its timeout is
   * connectTimeoutMs. A Pool's own `allowH2` only reaches connectors undici builds
   * itself, so repeat it here when the Pool sets it.
   */
  connector?: buildConnector.BuildOptions;
}

const systemLookup: HostLookup = (host) => dnsLookup(host, { all: true, order: 'verbatim' });

function withTimeout<T>(work: Promise<T>, ms: number, host: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new EgressLookupError(host, 'EGRESS_DNS_TIMEOUT', `resolving ${host} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function addressesOf(hostname: string, lookup: HostLookup, timeoutMs: number): Promise<IpAddress[]> {
  // undici hands IPv6 literals over without brackets
  const literal = parseIpv6(hostname);
  if (literal) return [literal];
  const host = parseHost(hostname);
  if (host.kind === 'invalid') throw new EgressLookupError(hostname, 'EGRESS_BAD_HOST', host.reason);
  if (host.kind === 'ip') return [host.ip];
  const answers = await withTimeout(lookup(host.name), timeoutMs, host.name);
  if (answers.length === 0) throw new EgressLookupError(host.name, 'ENOTFOUND', `${host.name} has no addresses`);
  return answers.map((a) => {
    const ip = parseIpStrict(a.address);
    if (!ip) throw new EgressLookupError(host.name, 'EGRESS_BAD_ANSWER', `resolver answered "${a.address}" for ${host.name}`);
    return ip;
  });
}

/**
 * An undici `connect` function that enforces the address policy at dial time, for a
 * worker with no egress proxy. The host is resolved once, every answer is judged, and
 * the socket goes to the vetted literal, so DNS cannot change its answer between the
 * check and the dial. TLS still verifies the certificate for the host name.
 */
export function createGuardedConnect(opts: GuardedConnectOptions): buildConnector.connector {
  const policy: AddressPolicy = {
    allow: parseAllowList(opts.allow),
    ports: opts.ports ? new Set(opts.ports) : undefined,
    classify: opts.classify,
  };
  const lookup = opts.lookup ?? systemLookup;
  const dial = buildConnector({ ...opts.connector, timeout: opts.connectTimeoutMs });

  return (options, callback) => {
    const port = options.port ? Number(options.port) : options.protocol === 'https:' ? 443 : 80;
    addressesOf(options.hostname, lookup, opts.connectTimeoutMs).then(
      (answers) => {
        const verdict = judgeAnswers(answers, port, policy);
        const ip = dialableAddress(verdict.address);
        if (!verdict.allowed) {
          callback(new EgressDeniedError(verdict.cls, options.hostname, ip, port), null);
          return;
        }
        const named = parseHost(options.hostname).kind === 'name';
        dial({ ...options, hostname: ip, servername: options.servername || (named ? options.hostname : undefined) }, callback);
      },
      (e: unknown) => callback(e instanceof Error ? e : new Error(String(e)), null),
    );
  };
}
