/**
 * IP addresses as integers (bigint), so classes and allow-list ranges are plain CIDR
 * arithmetic with no string tricks that an odd spelling could slip past.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** 32-bit (IPv4) or 128-bit (IPv6) value */
  readonly value: bigint;
}

export const IPV4_BITS = 32;
export const IPV6_BITS = 128;
const MAX_V4 = (1n << 32n) - 1n;

export function bitsOf(family: IpFamily): number {
  return family === 4 ? IPV4_BITS : IPV6_BITS;
}

const DOTTED_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const DOTTED_QUAD = new RegExp(`^${DOTTED_OCTET}(?:\\.${DOTTED_OCTET}){3}$`);

/** Canonical dotted-decimal only, as DNS answers and configuration are written. */
export function parseIpv4Strict(text: string): IpAddress | undefined {
  if (!DOTTED_QUAD.test(text)) return undefined;
  const value = text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(part), 0n);
  return { family: 4, value };
}

const NUMBER_PART = /^(?:0[xX][0-9a-fA-F]*|0[0-7]*|[1-9]\d*)$/;

function partValue(part: string): bigint | undefined {
  if (!NUMBER_PART.test(part)) return undefined;
  if (/^0[xX]/.test(part)) return part.length === 2 ? 0n : BigInt(`0x${part.slice(2)}`);
  if (part.length > 1 && part.startsWith('0')) return BigInt(`0o${part.slice(1)}`);
  return BigInt(part);
}

/**
 * IPv4 the way inet_aton (and so getaddrinfo) reads it: one to four parts, each
 * decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes.
 * `2130706433`, `0x7f.1`, `127.1` and `0177.0.0.1` all mean 127.0.0.1, and a policy
 * that only knows dotted quads would let them through as "names".
 */
export function parseInetAton(text: string): IpAddress | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  const values: bigint[] = [];
  for (const part of parts) {
    const v = partValue(part);
    if (v === undefined) return undefined;
    values.push(v);
  }
  const last = values[values.length - 1];
  const leading = values.slice(0, -1);
  if (leading.some((v) => v > 255n)) return undefined;
  const lastBits = BigInt(8 * (5 - values.length));
  if (last >= 1n << lastBits) return undefined;
  const value = leading.reduce((acc, v, i) => acc | (v << BigInt(8 * (3 - i))), 0n) | last;
  return value > MAX_V4 ? undefined : { family: 4, value };
}

/**
 * WHATWG's "ends in a number": a host whose last label is numeric must be an IPv4
 * address or nothing. No DNS name has an all-numeric top label, and treating
 * `1.2.3.08` as a name would hand it to a resolver that may read it differently.
 */
export function endsInNumber(host: string): boolean {
  const labels = host.split('.');
  if (labels.length > 1 && labels[labels.length - 1] === '') labels.pop();
  const last = labels[labels.length - 1] ?? '';
  return /^\d+$/.test(last) || /^0[xX][0-9a-fA-F]*$/.test(last);
}

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function parseGroups(part: string, allowV4Tail: boolean): number[] | undefined {
  if (part === '') return [];
  const items = part.split(':');
  const out: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (allowV4Tail && i === items.length - 1 && item.includes('.')) {
      const v4 = parseIpv4Strict(item);
      if (!v4) return undefined;
      out.push(Number(v4.value >> 16n), Number(v4.value & 0xffffn));
      continue;
    }
    if (!HEX_GROUP.test(item)) return undefined;
    out.push(parseInt(item, 16));
  }
  return out;
}

/** IPv6 text without brackets. Zone ids (`%eth0`) are refused: they name an interface, not a host. */
export function parseIpv6(text: string): IpAddress | undefined {
  if (text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const gap = text.indexOf('::');
  if (gap !== text.lastIndexOf('::')) return undefined;
  let groups: number[];
  if (gap >= 0) {
    const head = parseGroups(text.slice(0, gap), false);
    const tail = parseGroups(text.slice(gap + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (!all || all.length !== 8) return undefined;
    groups = all;
  }
  const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
  return { family: 6, value };
}

/** A literal as it appears in DNS answers and configuration: dotted quad or bare IPv6. */
export function parseIpStrict(text: string): IpAddress | undefined {
  return parseIpv4Strict(text) ?? parseIpv6(text);
}

export function formatIp(ip: IpAddress): string {
  return ip.family === 4 ? formatIpv4(ip.value) : formatIpv6(ip.value);
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of zero groups as `::`. */
function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(16 * (7 - i))) & 0xffffn));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Whether `ip` lies in `base/prefix` of the same family. */
export function inCidr(ip: IpAddress, family: IpFamily, base: bigint, prefix: number): boolean {
  if (ip.family !== family) return false;
  const shift = BigInt(bitsOf(family) - prefix);
  return ip.value >> shift === base >> shift;
}

/** Whether two ranges of the same family share any address. */
export function cidrsOverlap(family: IpFamily, a: bigint, aPrefix: number, b: bigint, bPrefix: number): boolean {
  const shift = BigInt(bitsOf(family) - Math.min(aPrefix, bPrefix));
  return a >> shift === b >> shift;
}

/** The IPv4 address inside `::ffff:a.b.c.d`, which the kernel dials as plain IPv4. */
export function unmapIpv4Mapped(ip: IpAddress): IpAddress {
  if (ip.family === 6 && ip.value >> 32n === 0xffffn) return { family: 4, value: ip.value & MAX_V4 };
  return ip;
}

export function sameIp(a: IpAddress, b: IpAddress): boolean {
  const x = unmapIpv4Mapped(a);
  const y = unmapIpv4Mapped(b);
  return x.family === y.family && x.value === y.value;
}
