import { AllowListError, parseAllowList, validateAllowList } from './allow-list';
import { loadConfig } from '../config/load-config';

describe('validateAllowList', () => {
  it.each([
    ['127.0.0.1:8080'],
    ['[::1]:443'],
    ['10.0.0.0/8'],
    ['10.1.2.3'],
    ['fd01::/16'],
    ['192.168.1.0/24'],
    ['0.0.0.0/1'],
    ['169.253.255.255:80'],
    ['169.255.0.0/16'],
    ['fec0::/10'],
    ['2600::/12'],
  ])('%s is accepted', (item) => {
    expect(validateAllowList([item])).toEqual([]);
  });

  it.each([
    ['169.254.169.254:80'],
    ['169.254.0.0/16'],
    ['169.254.169.0/24'],
    ['169.254.169.254/32'],
    ['169.254.169.254'],
    ['169.0.0.0/8'],
    ['128.0.0.0/1'],
    ['0.0.0.0/0'],
    ['[fe80::1]:80'],
    ['fe80::/10'],
    ['fe80::/16'],
    ['fe00::/7'],
    ['::/0'],
    ['[::ffff:169.254.169.254]:80'],
    ['[::ffff:a9fe:a9fe]:80'],
    ['::ffff:0:0/96'],
    ['[::169.254.169.254]:80'],
    ['[64:ff9b::169.254.169.254]:80'],
    ['64:ff9b::/96'],
    ['2002::/16'],
    ['[2002:a9fe:a9fe::1]:80'],
    ['[fd00:ec2::254]:80'],
    ['fd00::/16'],
    ['fd00::/8'],
    ['::/1'],
    ['2000::/3'],
  ])('%s is refused: it reaches link-local/metadata', (item) => {
    const problems = validateAllowList([item]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/link-local\/metadata/);
  });

  it.each([
    ['localhost:80'],
    ['example.com:443'],
    ['127.1:80'],
    ['0x7f000001:80'],
    ['127.0.0.1:0'],
    ['127.0.0.1:65536'],
    ['127.0.0.1:'],
    ['::1:80'],
    ['[::1]'],
    ['[fe80::1%eth0]:80'],
    ['10.0.0.0/33'],
    ['fd00::/129'],
    ['10.0.0.1/8'],
    ['10.0.0.0/8/1'],
    ['10.0.0.0/x'],
    [''],
  ])('%j is malformed', (item) => {
    const problems = validateAllowList([item]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toMatch(/link-local/);
  });

  it('reports every bad item, not just the first', () => {
    expect(validateAllowList(['127.0.0.1:80', 'nope', '169.254.169.254:80', '10.0.0.0/8'])).toHaveLength(2);
  });

  it('is what start-up configuration checks EGRESS_ALLOW with', () => {
    expect(() => loadConfig({ EGRESS_ALLOW: '127.0.0.1:8080,0.0.0.0/0' })).toThrow(/EGRESS_ALLOW: "0.0.0.0\/0"/);
    expect(() => loadConfig({ EGRESS_ALLOW: '[::ffff:169.254.169.254]:80' })).toThrow(/EGRESS_ALLOW/);
    expect(loadConfig({ EGRESS_ALLOW: '127.0.0.1:8080, 10.0.0.0/8' }).egressAllow).toEqual(['127.0.0.1:8080', '10.0.0.0/8']);
  });
});

describe('AllowList.isAllowed', () => {
  const list = parseAllowList(['127.0.0.1:8080', '[::1]:9090', '10.1.0.0/16', 'fd00:1::/32', '192.0.2.7']);

  it.each([
    ['127.0.0.1', 8080, true],
    ['127.0.0.1', 8081, false],
    ['127.0.0.2', 8080, false],
    ['::ffff:127.0.0.1', 8080, true],
    ['::1', 9090, true],
    ['[::1]', 9090, true],
    ['::1', 8080, false],
    ['10.1.0.0', 1, true],
    ['10.1.255.255', 65535, true],
    ['10.0.255.255', 443, false],
    ['10.2.0.0', 443, false],
    ['::ffff:10.1.2.3', 443, true],
    ['fd00:1::1', 443, true],
    ['fd00:1:ffff:ffff:ffff:ffff:ffff:ffff', 443, true],
    ['fd00:2::', 443, false],
    ['192.0.2.7', 25, true],
    ['192.0.2.8', 25, false],
    ['not an ip', 80, false],
  ])('%s port %d → %s', (ip, port, expected) => {
    expect(list.isAllowed(ip, port)).toBe(expected);
  });

  it('knows which ports an exact pair names', () => {
    expect(list.hasPairOnPort(8080)).toBe(true);
    expect(list.hasPairOnPort(9090)).toBe(true);
    expect(list.hasPairOnPort(443)).toBe(false);
  });

  it('refuses to build from a bad list, naming every problem', () => {
    expect(() => parseAllowList(['x', '169.254.0.0/16'])).toThrow(AllowListError);
    try {
      parseAllowList(['x', '169.254.0.0/16']);
    } catch (e) {
      expect((e as AllowListError).problems).toHaveLength(2);
    }
  });
});
