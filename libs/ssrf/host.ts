import { endsInNumber, IpAddress, parseInetAton, parseIpv6 } from './ip';

export type ParsedHost =
  { readonly kind: 'ip'; readonly ip: IpAddress } | { readonly kind: 'name'; readonly name: string } | { readonly kind: 'invalid'; readonly reason: string };

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/**
 * Reads a host the way a resolver would, so the policy never sees a name where the
 * system would see an address: `[v6]` literals (no zone ids), every numeric IPv4
 * spelling inet_aton accepts, and otherwise a DNS name (lower-cased, one trailing
 * dot dropped).
 */
export function parseHost(raw: string): ParsedHost {
  if (raw.length === 0) return { kind: 'invalid', reason: 'empty host' };
  if (raw.startsWith('[')) {
    if (!raw.endsWith(']')) return { kind: 'invalid', reason: 'unterminated IPv6 literal' };
    const inner = raw.slice(1, -1);
    if (inner.includes('%')) return { kind: 'invalid', reason: 'IPv6 zone ids are not allowed' };
    const ip = parseIpv6(inner);
    return ip ? { kind: 'ip', ip } : { kind: 'invalid', reason: 'malformed IPv6 literal' };
  }
  if (raw.includes(':')) return { kind: 'invalid', reason: 'IPv6 literals must be in brackets' };
  if (raw.length > 254) return { kind: 'invalid', reason: 'host name too long' };
  const host = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (endsInNumber(host)) {
    const ip = parseInetAton(host);
    return ip ? { kind: 'ip', ip } : { kind: 'invalid', reason: 'malformed IPv4 address' };
  }
  const name = host.toLowerCase();
  if (name.length === 0 || !name.split('.').every((label) => LABEL.test(label))) {
    return { kind: 'invalid', reason: 'malformed host name' };
  }
  return { kind: 'name', name };
}

const LOCALHOST_NAMES = new Set(['localhost', 'localhost.localdomain', 'localhost6', 'localhost6.localdomain6', 'ip6-localhost', 'ip6-loopback']);

/**
 * Names that resolve to loopback without asking DNS (RFC 6761 and the usual
 * /etc/hosts entries). `name` is as parseHost returns it.
 */
export function isLocalhostName(name: string): boolean {
  return LOCALHOST_NAMES.has(name) || name.endsWith('.localhost');
}
