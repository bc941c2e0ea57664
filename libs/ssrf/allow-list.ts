import { bitsOf, cidrsOverlap, formatIp, inCidr, IpAddress, IpFamily, parseIpStrict, parseIpv4Strict, parseIpv6, sameIp, unmapIpv4Mapped } from './ip';

/**
 * Operator exceptions to the address policy (`EGRESS_ALLOW`): an exact `ip:port` /
 * `[v6]:port` pair, or a CIDR (a bare address is a one-address CIDR). A pair also
 * lets its port past the proxy's port policy, because the operator named both.
 */
export type AllowEntry =
  | { readonly kind: 'pair'; readonly ip: IpAddress; readonly port: number; readonly text: string }
  | { readonly kind: 'range'; readonly family: IpFamily; readonly base: bigint; readonly prefix: number; readonly text: string };

export class AllowListError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid allow list: ${problems.join('; ')}`);
    this.name = 'AllowListError';
  }
}

interface Span {
  readonly family: IpFamily;
  readonly base: bigint;
  readonly prefix: number;
  readonly text: string;
}

function span(cidr: string): Span {
  const [text, prefix] = cidr.split('/');
  const ip = parseIpStrict(text);
  if (!ip) throw new Error(`bad built-in range ${cidr}`);
  return { family: ip.family, base: ip.value, prefix: Number(prefix), text: cidr };
}

/**
 * Cloud metadata lives at 169.254.169.254 (and fd00:ec2::254); no exception may
 * reach it under any spelling the kernel would route there.
 */
const NEVER_ALLOWED: readonly Span[] = [
  span('169.254.0.0/16'),
  span('fe80::/10'),
  span('::ffff:169.254.0.0/112'),
  span('::169.254.0.0/112'),
  span('64:ff9b::169.254.0.0/112'),
  span('2002:a9fe::/32'),
  span('fd00:ec2::254/128'),
];

function metadataOverlap(family: IpFamily, base: bigint, prefix: number): string | undefined {
  return NEVER_ALLOWED.find((s) => s.family === family && cidrsOverlap(family, base, prefix, s.base, s.prefix))?.text;
}

function metadataProblem(range: string): string {
  return `reaches ${range}: link-local/metadata addresses are never allowed`;
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

type Parsed = { entry: AllowEntry } | { problem: string };

function parseEntry(item: string): Parsed {
  const bad = (why: string): Parsed => ({ problem: `"${item}": ${why}` });
  const v6Pair = /^\[([^\]]*)\]:(\d+)$/.exec(item);
  const v4Pair = /^([\d.]+):(\d+)$/.exec(item);
  if (v6Pair || v4Pair) {
    const [, host, portText] = (v6Pair ?? v4Pair) as RegExpExecArray;
    const ip = v6Pair ? parseIpv6(host) : parseIpv4Strict(host);
    if (!ip) return bad('not an IP address (use dotted-quad IPv4 or [IPv6]:port)');
    const port = parsePort(portText);
    if (port === undefined) return bad('port must be 1-65535');
    const plain = unmapIpv4Mapped(ip);
    const metadata = metadataOverlap(ip.family, ip.value, bitsOf(ip.family)) ?? metadataOverlap(plain.family, plain.value, bitsOf(plain.family));
    if (metadata) return bad(metadataProblem(metadata));
    return { entry: { kind: 'pair', ip: plain, port, text: item } };
  }
  const [host, prefixText, ...rest] = item.split('/');
  const ip = parseIpStrict(host);
  if (!ip || rest.length > 0) return bad('expected ip:port, [ipv6]:port or a CIDR');
  // a bare "::1:80" reads as an address, not ::1 port 80: make the operator say which
  if (prefixText === undefined && ip.family === 6) return bad('write [ipv6]:port or ipv6/prefix');
  const bits = bitsOf(ip.family);
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return bad(`prefix length must be 0-${bits}`);
  const hostBits = BigInt(bits - prefix);
  if ((ip.value & ((1n << hostBits) - 1n)) !== 0n)
    return bad(`host bits set; did you mean ${formatIp({ family: ip.family, value: (ip.value >> hostBits) << hostBits })}/${prefix}?`);
  const metadata = metadataOverlap(ip.family, ip.value, prefix);
  if (metadata) return bad(metadataProblem(metadata));
  return { entry: { kind: 'range', family: ip.family, base: ip.value, prefix, text: item } };
}

/** Every problem in the list, for start-up validation that reports them all at once. */
export function validateAllowList(items: readonly string[]): string[] {
  const problems: string[] = [];
  for (const item of items) {
    const parsed = parseEntry(item.trim());
    if ('problem' in parsed) problems.push(parsed.problem);
  }
  return problems;
}

export class AllowList {
  private readonly pairPorts: ReadonlySet<number>;

  constructor(readonly entries: readonly AllowEntry[]) {
    this.pairPorts = new Set(entries.flatMap((e) => (e.kind === 'pair' ? [e.port] : [])));
  }

  /** Whether an exception covers this address on this port (pair or range). */
  isAllowed(ip: IpAddress | string, port: number): boolean {
    const addr = toAddress(ip);
    return !!addr && (this.allowsPair(addr, port) || this.inRange(addr));
  }

  /** Whether an exact `ip:port` pair names this target. */
  allowsPair(ip: IpAddress, port: number): boolean {
    return this.entries.some((e) => e.kind === 'pair' && e.port === port && sameIp(e.ip, ip));
  }

  /** Whether some pair names this port, so a port outside the policy may still be worth resolving. */
  hasPairOnPort(port: number): boolean {
    return this.pairPorts.has(port);
  }

  private inRange(ip: IpAddress): boolean {
    const plain = unmapIpv4Mapped(ip);
    return this.entries.some((e) => e.kind === 'range' && (inCidr(ip, e.family, e.base, e.prefix) || inCidr(plain, e.family, e.base, e.prefix)));
  }
}

function toAddress(ip: IpAddress | string): IpAddress | undefined {
  if (typeof ip !== 'string') return ip;
  const bare = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  return parseIpStrict(bare);
}

/** Parses the list or throws AllowListError naming every bad item. */
export function parseAllowList(items: readonly string[]): AllowList {
  const entries: AllowEntry[] = [];
  const problems: string[] = [];
  for (const item of items) {
    const parsed = parseEntry(item.trim());
    if ('problem' in parsed) problems.push(parsed.problem);
    else entries.push(parsed.entry);
  }
  if (problems.length > 0) throw new AllowListError(problems);
  return new AllowList(entries);
}
