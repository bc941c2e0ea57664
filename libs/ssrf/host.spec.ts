import { isLocalhostName, parseHost } from './host';
import { formatIp, parseInetAton, parseIpStrict, parseIpv6 } from './ip';

function ipText(raw: string): string | undefined {
  const host = parseHost(raw);
  return host.kind === 'ip' ? formatIp(host.ip) : undefined;
}

describe('parseHost: numeric IPv4 spellings are addresses, never names', () => {
  it.each([
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F000001', '127.0.0.1'],
    ['017700000001', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0177.1', '127.0.0.1'],
    ['0x7f.0x0.0x0.0x1', '127.0.0.1'],
    ['127.0.0.1.', '127.0.0.1'],
    ['127.000.000.001', '127.0.0.1'],
    ['0', '0.0.0.0'],
    ['0x', '0.0.0.0'],
    ['0.0', '0.0.0.0'],
    ['10.1', '10.0.0.1'],
    ['012.1', '10.0.0.1'],
    ['167772161', '10.0.0.1'],
    ['2852039166', '169.254.169.254'],
    ['0xa9fea9fe', '169.254.169.254'],
    ['0251.0376.0251.0376', '169.254.169.254'],
    ['169.254.43518', '169.254.169.254'],
    ['0xa9.0xfe.0xa9fe', '169.254.169.254'],
    ['4294967295', '255.255.255.255'],
    ['192.168.257', '192.168.1.1'],
    ['8.8.8.8', '8.8.8.8'],
    ['1.2.3.0x', '1.2.3.0'],
  ])('%s is %s', (raw, expected) => {
    expect(ipText(raw)).toBe(expected);
  });

  it.each([['2130706433'], ['0x7f.1'], ['127.1'], ['0177.0.0.1'], ['127.0.1'], ['0xa9fea9fe'], ['0251.0376.0251.0376'], ['192.168.257'], ['0x']])(
    '%s reads the same as the WHATWG URL parser reads it',
    (raw) => {
      expect(ipText(raw)).toBe(new URL(`http://${raw}/`).hostname);
    },
  );

  it.each([
    ['4294967296'],
    ['0x100000000'],
    ['256.0.0.1'],
    ['1.2.3.256'],
    ['1.2.3.08'],
    ['09'],
    ['1.2.3.4.5'],
    ['127.0x1000000'],
    ['1.65536.1'],
    ['1..1'],
    ['.1'],
    ['example.123'],
    ['127.0.0.1..'],
  ])('%s is invalid, not a name', (raw) => {
    expect(parseHost(raw).kind).toBe('invalid');
  });
});

describe('parseHost: IPv6 literals', () => {
  it.each([
    ['[::1]', '::1'],
    ['[0:0:0:0:0:0:0:1]', '::1'],
    ['[::ffff:127.0.0.1]', '::ffff:7f00:1'],
    ['[::ffff:a9fe:a9fe]', '::ffff:a9fe:a9fe'],
    ['[FE80::1]', 'fe80::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['[64:ff9b::10.0.0.1]', '64:ff9b::a00:1'],
  ])('%s is %s', (raw, expected) => {
    expect(ipText(raw)).toBe(expected);
  });

  it.each([
    ['[fe80::1%eth0]'],
    ['[fe80::1%25eth0]'],
    ['[::1'],
    ['::1'],
    ['[]'],
    ['[1::2::3]'],
    ['[:::]'],
    ['[1:2:3:4:5:6:7:8:9]'],
    ['[::1.2.3]'],
    ['[::ffff:0177.0.0.1]'],
    ['[12345::]'],
    ['[::g]'],
  ])('%s is invalid', (raw) => {
    expect(parseHost(raw).kind).toBe('invalid');
  });
});

describe('parseHost: names', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['a_b.example', 'a_b.example'],
    ['1.example.com', '1.example.com'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['0x7f.example', '0x7f.example'],
  ])('%s is the name %s', (raw, name) => {
    expect(parseHost(raw)).toEqual({ kind: 'name', name });
  });

  it.each([
    [''],
    ['-bad.example'],
    ['bad-.example'],
    ['exa mple.com'],
    ['a..b'],
    ['.'],
    [`${'a'.repeat(64)}.example`],
    [`${'a.'.repeat(128)}example`],
    ['ex@mple.com'],
    ['host/path'],
  ])('%j is invalid', (raw) => {
    expect(parseHost(raw).kind).toBe('invalid');
  });
});

describe('isLocalhostName', () => {
  it.each([['localhost'], ['api.localhost'], ['a.b.localhost'], ['localhost.localdomain'], ['ip6-localhost']])('%s is loopback', (name) => {
    expect(isLocalhostName(name)).toBe(true);
  });
  it.each([['localhost.example.com'], ['notlocalhost'], ['mylocalhost.com']])('%s is not', (name) => {
    expect(isLocalhostName(name)).toBe(false);
  });
});

describe('ip text', () => {
  it.each([
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['1:2:3:4:5:6:7:0', '1:2:3:4:5:6:7:0'],
    ['1:0:2:0:0:3:0:0', '1:0:2::3:0:0'],
    ['2001:DB8::0001', '2001:db8::1'],
  ])('IPv6 %s prints as %s, like the URL parser', (raw, expected) => {
    const ip = parseIpv6(raw);
    expect(ip && formatIp(ip)).toBe(expected);
    expect(new URL(`http://[${raw}]/`).hostname).toBe(`[${expected}]`);
  });

  it('strict parsing refuses what only inet_aton accepts', () => {
    expect(parseIpStrict('127.1')).toBeUndefined();
    expect(parseIpStrict('0177.0.0.1')).toBeUndefined();
    expect(parseIpStrict('127.0.0.1')).toEqual({ family: 4, value: 0x7f000001n });
    expect(parseInetAton('127.1')).toEqual({ family: 4, value: 0x7f000001n });
  });
});
