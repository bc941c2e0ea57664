import { AddressClass, classifyAddress, classifyIp } from './classify';
import { parseIpStrict } from './ip';

function classOf(text: string): AddressClass {
  const ip = parseIpStrict(text);
  if (!ip) throw new Error(`test address ${text} does not parse`);
  return classifyAddress(ip);
}

/** Each range: the address just below, the first, the last, the address just above. */
const V4: [string, AddressClass][] = [
  ['0.0.0.0', 'unspecified'],
  ['0.255.255.255', 'unspecified'],
  ['1.0.0.0', 'global'],
  ['9.255.255.255', 'global'],
  ['10.0.0.0', 'private'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['11.0.0.0', 'global'],
  ['100.63.255.255', 'global'],
  ['100.64.0.0', 'cgnat'],
  ['100.127.255.255', 'cgnat'],
  ['100.128.0.0', 'global'],
  ['126.255.255.255', 'global'],
  ['127.0.0.0', 'loopback'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.255', 'loopback'],
  ['128.0.0.0', 'global'],
  ['169.253.255.255', 'global'],
  ['169.254.0.0', 'link-local'],
  ['169.254.169.254', 'link-local'],
  ['169.254.255.255', 'link-local'],
  ['169.255.0.0', 'global'],
  ['172.15.255.255', 'global'],
  ['172.16.0.0', 'private'],
  ['172.31.255.255', 'private'],
  ['172.32.0.0', 'global'],
  ['191.255.255.255', 'global'],
  ['192.0.0.0', 'ietf-protocol'],
  ['192.0.0.255', 'ietf-protocol'],
  ['192.0.1.0', 'global'],
  ['192.0.1.255', 'global'],
  ['192.0.2.0', 'documentation'],
  ['192.0.2.255', 'documentation'],
  ['192.0.3.0', 'global'],
  ['192.88.98.255', 'global'],
  ['192.88.99.0', '6to4'],
  ['192.88.99.255', '6to4'],
  ['192.88.100.0', 'global'],
  ['192.167.255.255', 'global'],
  ['192.168.0.0', 'private'],
  ['192.168.255.255', 'private'],
  ['192.169.0.0', 'global'],
  ['198.17.255.255', 'global'],
  ['198.18.0.0', 'benchmark'],
  ['198.19.255.255', 'benchmark'],
  ['198.20.0.0', 'global'],
  ['198.51.99.255', 'global'],
  ['198.51.100.0', 'documentation'],
  ['198.51.100.255', 'documentation'],
  ['198.51.101.0', 'global'],
  ['203.0.112.255', 'global'],
  ['203.0.113.0', 'documentation'],
  ['203.0.113.255', 'documentation'],
  ['203.0.114.0', 'global'],
  ['223.255.255.255', 'global'],
  ['224.0.0.0', 'multicast'],
  ['239.255.255.255', 'multicast'],
  ['240.0.0.0', 'reserved'],
  ['255.255.255.254', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['8.8.8.8', 'global'],
  ['1.1.1.1', 'global'],
];

const V6: [string, AddressClass][] = [
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  // IPv4-mapped: the kernel dials the IPv4 inside
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['::ffff:10.0.0.1', 'private'],
  ['::ffff:100.64.0.1', 'cgnat'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:192.168.1.1', 'private'],
  ['::ffff:224.0.0.1', 'multicast'],
  ['::ffff:255.255.255.255', 'broadcast'],
  ['::ffff:8.8.8.8', 'global'],
  ['::ffff:ffff:ffff', 'broadcast'],
  // IPv4-compatible (deprecated): the embedded class, or reserved when that is global
  ['::2', 'unspecified'],
  ['::127.0.0.1', 'loopback'],
  ['::10.0.0.1', 'private'],
  ['::169.254.169.254', 'link-local'],
  ['::8.8.8.8', 'reserved'],
  ['::ffff:ffff', 'broadcast'],
  // between the compatible and mapped blocks, and just above the mapped one
  ['::1:0:0', 'reserved'],
  ['::fffe:ffff:ffff', 'reserved'],
  ['::1:0:0:0', 'reserved'],
  // NAT64, both prefixes, whatever the embedded IPv4
  ['64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
  ['64:ff9b::', 'nat64'],
  ['64:ff9b::8.8.8.8', 'nat64'],
  ['64:ff9b::a9fe:a9fe', 'nat64'],
  ['64:ff9b::ffff:ffff', 'nat64'],
  ['64:ff9b::1:0:0', 'reserved'],
  ['64:ff9b:0:ffff:ffff:ffff:ffff:ffff', 'reserved'],
  ['64:ff9b:1::', 'nat64'],
  ['64:ff9b:1:ffff:ffff:ffff:ffff:ffff', 'nat64'],
  ['64:ff9b:2::', 'reserved'],
  ['100::', 'reserved'],
  ['100::ffff:ffff:ffff:ffff', 'reserved'],
  // the edges of global unicast 2000::/3
  ['1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
  ['2000::', 'global'],
  ['2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'global'],
  ['3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'global'],
  ['4000::', 'reserved'],
  // IETF protocol assignments 2001::/23, Teredo 2001::/32, benchmarking 2001:2::/48
  ['2001::', 'teredo'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ['2001:0:ffff:ffff:ffff:ffff:ffff:ffff', 'teredo'],
  ['2001:1::', 'ietf-protocol'],
  ['2001:1:ffff:ffff:ffff:ffff:ffff:ffff', 'ietf-protocol'],
  ['2001:2::', 'benchmark'],
  ['2001:2:0:ffff:ffff:ffff:ffff:ffff', 'benchmark'],
  ['2001:2:1::', 'ietf-protocol'],
  ['2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff', 'ietf-protocol'],
  ['2001:200::', 'global'],
  ['2001:db7:ffff:ffff:ffff:ffff:ffff:ffff', 'global'],
  ['2001:db8::', 'documentation'],
  ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
  ['2001:db9::', 'global'],
  ['2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'global'],
  ['2002::', '6to4'],
  ['2002:a9fe:a9fe::', '6to4'],
  ['2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '6to4'],
  ['2003::', 'global'],
  ['3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'global'],
  ['3fff::', 'documentation'],
  ['3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation'],
  ['3fff:1000::', 'global'],
  ['5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
  ['5f00::', 'reserved'],
  ['5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
  ['fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
  ['fc00::', 'unique-local'],
  ['fd00:ec2::254', 'unique-local'],
  ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique-local'],
  ['fe00::', 'reserved'],
  ['fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'reserved'],
  ['fe80::', 'link-local'],
  ['fe80::1', 'link-local'],
  ['febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'link-local'],
  ['fec0::', 'site-local'],
  ['feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'site-local'],
  ['ff00::', 'multicast'],
  ['ff02::1', 'multicast'],
  ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'multicast'],
  ['2606:4700:4700::1111', 'global'],
  ['2a00:1450:4001::1', 'global'],
];

describe('classifyAddress', () => {
  it.each(V4)('IPv4 %s is %s', (ip, cls) => {
    expect(classOf(ip)).toBe(cls);
  });

  it.each(V6)('IPv6 %s is %s', (ip, cls) => {
    expect(classOf(ip)).toBe(cls);
  });

  it('gives every IPv4 deny class the same answer through ::ffff: mapping', () => {
    for (const [ip, cls] of V4) expect(classOf(`::ffff:${ip}`)).toBe(cls);
  });

  it('never calls an IPv4-compatible address global', () => {
    for (const [ip, cls] of V4) expect(classOf(`::${ip}`)).toBe(cls === 'global' ? 'reserved' : cls);
  });
});

describe('classifyIp', () => {
  it.each([
    ['169.254.169.254', 'link-local'],
    ['0xa9fea9fe', 'link-local'],
    ['127.1', 'loopback'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['[::ffff:10.0.0.1]', 'private'],
    ['8.8.8.8', 'global'],
  ])('reads %s as %s', (text, cls) => {
    expect(classifyIp(text)).toBe(cls);
  });

  it.each([['example.com'], [''], ['[fe80::1%eth0]'], ['fe80::1%eth0'], ['1.2.3.08']])('throws on %j', (text) => {
    expect(() => classifyIp(text)).toThrow(TypeError);
  });
});
