import { parseHost } from './host';
import { inCidr, IpAddress, IpFamily, parseIpStrict, parseIpv6 } from './ip';

/** Every class an address can fall in; only `global` may be dialled without an allow-list entry. */
export type AddressClass =
  | 'global'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'ietf-protocol'
  | 'documentation'
  | 'benchmark'
  | 'multicast'
  | 'reserved'
  | 'broadcast'
  | '6to4'
  | 'teredo'
  | 'nat64'
  | 'unique-local'
  | 'site-local';

interface Range {
  readonly family: IpFamily;
  readonly base: bigint;
  readonly prefix: number;
  readonly cls: AddressClass;
}

function range(cidr: string, cls: AddressClass): Range {
  const [text, prefix] = cidr.split('/');
  const ip = parseIpStrict(text);
  if (!ip) throw new Error(`bad built-in range ${cidr}`);
  return { family: ip.family, base: ip.value, prefix: Number(prefix), cls };
}

/**
 * The deny table of docs/security.md. The most specific range wins, so
 * 255.255.255.255 is `broadcast` inside 240/4 and Teredo is `teredo` inside 2001::/23.
 */
const V4_RANGES: readonly Range[] = [
  range('0.0.0.0/8', 'unspecified'),
  range('10.0.0.0/8', 'private'),
  range('100.64.0.0/10', 'cgnat'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('172.16.0.0/12', 'private'),
  range('192.0.0.0/24', 'ietf-protocol'),
  range('192.0.2.0/24', 'documentation'),
  range('192.88.99.0/24', '6to4'),
  range('192.168.0.0/16', 'private'),
  range('198.18.0.0/15', 'benchmark'),
  range('198.51.100.0/24', 'documentation'),
  range('203.0.113.0/24', 'documentation'),
  range('224.0.0.0/4', 'multicast'),
  range('240.0.0.0/4', 'reserved'),
  range('255.255.255.255/32', 'broadcast'),
];

const V6_RANGES: readonly Range[] = [
  range('64:ff9b::/96', 'nat64'),
  range('64:ff9b:1::/48', 'nat64'),
  range('100::/64', 'reserved'),
  // IETF protocol assignments; Teredo and benchmarking are named on their own
  range('2001::/23', 'ietf-protocol'),
  range('2001::/32', 'teredo'),
  range('2001:2::/48', 'benchmark'),
  range('2001:db8::/32', 'documentation'),
  range('2002::/16', '6to4'),
  range('3fff::/20', 'documentation'),
  // SRv6 segment identifiers
  range('5f00::/16', 'reserved'),
  range('fc00::/7', 'unique-local'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'site-local'),
  range('ff00::/8', 'multicast'),
];

/** IANA's global unicast block; anything outside it that the table misses is still not global. */
const GLOBAL_UNICAST = range('2000::/3', 'global');

function longestMatch(ip: IpAddress, ranges: readonly Range[]): AddressClass | undefined {
  let best: Range | undefined;
  for (const r of ranges) {
    if (inCidr(ip, r.family, r.base, r.prefix) && (!best || r.prefix > best.prefix)) best = r;
  }
  return best?.cls;
}

function classifyV4(value: bigint): AddressClass {
  return longestMatch({ family: 4, value }, V4_RANGES) ?? 'global';
}

export function classifyAddress(ip: IpAddress): AddressClass {
  if (ip.family === 4) return classifyV4(ip.value);
  const high = ip.value >> 32n;
  const low = ip.value & 0xffffffffn;
  // ::ffff:a.b.c.d is dialled as IPv4 by the kernel, so it is whatever a.b.c.d is
  if (high === 0xffffn) return classifyV4(low);
  if (ip.value === 0n) return 'unspecified';
  if (ip.value === 1n) return 'loopback';
  if (high === 0n) {
    // IPv4-compatible (::a.b.c.d) is deprecated (RFC 4291) and routes nowhere useful:
    // name the embedded class when it is a denied one, otherwise call it reserved.
    const embedded = classifyV4(low);
    return embedded === 'global' ? 'reserved' : embedded;
  }
  const listed = longestMatch(ip, V6_RANGES);
  if (listed) return listed;
  return inCidr(ip, 6, GLOBAL_UNICAST.base, GLOBAL_UNICAST.prefix) ? 'global' : 'reserved';
}

/**
 * The class of an address written as text: dotted quad, any inet_aton spelling,
 * bare or bracketed IPv6. Throws on anything that is not an IP literal.
 */
export function classifyIp(text: string): AddressClass {
  const bare = parseIpv6(text);
  if (bare) return classifyAddress(bare);
  const host = parseHost(text);
  if (host.kind !== 'ip') throw new TypeError(`"${text}" is not an IP address`);
  return classifyAddress(host.ip);
}
