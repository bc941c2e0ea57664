import { parseAllowList } from './allow-list';
import { IpAddress, parseIpStrict } from './ip';
import { AddressPolicy, dialableAddress, judgeAddress, judgeAnswers } from './policy';

function ip(text: string): IpAddress {
  const parsed = parseIpStrict(text);
  if (!parsed) throw new Error(text);
  return parsed;
}

const SELF = ip('127.0.0.1');
const policy: AddressPolicy = {
  allow: parseAllowList(['127.0.0.1:8080', '127.0.0.1:5010', '127.0.0.3:8443', '10.9.0.0/16']),
  ports: new Set([80, 443]),
  isSelf: (addr, port) => port === 5010 && addr.family === SELF.family && addr.value === SELF.value,
};

describe('judgeAddress', () => {
  it.each([
    ['8.8.8.8', 443, true, 'global'],
    ['8.8.8.8', 25, false, 'port'],
    ['127.0.0.1', 8080, true, 'loopback'],
    ['127.0.0.1', 443, false, 'loopback'],
    ['127.0.0.1', 5010, false, 'self'],
    ['10.9.1.1', 443, true, 'private'],
    ['10.9.1.1', 6379, false, 'port'],
    ['10.8.1.1', 443, false, 'private'],
    ['169.254.169.254', 80, false, 'link-local'],
    ['::ffff:169.254.169.254', 80, false, 'link-local'],
    ['64:ff9b::808:808', 443, false, 'nat64'],
    ['2001:4860:4860::8888', 443, true, 'global'],
  ])('%s port %d → allowed %s (%s)', (addr, port, allowed, cls) => {
    expect(judgeAddress(ip(addr), port, policy)).toEqual({ allowed, cls });
  });

  it('uses an injected classifier, so tests can stand in for public with loopback', () => {
    const fake: AddressPolicy = { ...policy, classify: (a) => (a.value === ip('127.0.0.9').value ? 'global' : 'loopback') };
    expect(judgeAddress(ip('127.0.0.9'), 443, fake)).toEqual({ allowed: true, cls: 'global' });
    expect(judgeAddress(ip('127.0.0.8'), 443, fake)).toEqual({ allowed: false, cls: 'loopback' });
  });
});

describe('judgeAnswers', () => {
  it('dials the first answer when every answer passes', () => {
    expect(judgeAnswers([ip('8.8.8.8'), ip('1.1.1.1')], 443, policy)).toEqual({ allowed: true, address: ip('8.8.8.8'), cls: 'global' });
  });

  it('denies the lot when any answer is denied (rebinding signal), naming that answer', () => {
    expect(judgeAnswers([ip('8.8.8.8'), ip('10.0.0.1')], 443, policy)).toEqual({ allowed: false, address: ip('10.0.0.1'), cls: 'private' });
    expect(judgeAnswers([ip('::1'), ip('8.8.8.8')], 443, policy)).toEqual({ allowed: false, address: ip('::1'), cls: 'loopback' });
  });

  it('refuses to judge an empty answer', () => {
    expect(() => judgeAnswers([], 443, policy)).toThrow();
  });
});

describe('dialableAddress', () => {
  it('dials IPv4-mapped answers as IPv4 and leaves the rest alone', () => {
    expect(dialableAddress(ip('::ffff:127.0.0.1'))).toBe('127.0.0.1');
    expect(dialableAddress(ip('::1'))).toBe('::1');
    expect(dialableAddress(ip('10.0.0.1'))).toBe('10.0.0.1');
  });
});
