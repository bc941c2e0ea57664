import { formatIp } from '../../libs/ssrf';
import { parseConnectTarget } from './connect-target';

function describeTarget(target: string): string {
  const parsed = parseConnectTarget(target);
  if (!parsed.ok) return `invalid: ${parsed.reason}`;
  return `${parsed.host.kind === 'ip' ? formatIp(parsed.host.ip) : parsed.host.name} ${parsed.port}`;
}

describe('parseConnectTarget', () => {
  it.each([
    ['example.com:443', 'example.com 443'],
    ['Example.COM.:80', 'example.com 80'],
    ['127.0.0.1:8080', '127.0.0.1 8080'],
    ['2130706433:443', '127.0.0.1 443'],
    ['0x7f.1:443', '127.0.0.1 443'],
    ['[::1]:443', '::1 443'],
    ['[::ffff:169.254.169.254]:80', '::ffff:a9fe:a9fe 80'],
    ['host:1', 'host 1'],
    ['host:65535', 'host 65535'],
  ])('%s → %s', (target, expected) => {
    expect(describeTarget(target)).toBe(expected);
  });

  it.each([
    [''],
    ['example.com'],
    ['example.com:'],
    [':443'],
    ['example.com:0'],
    ['example.com:65536'],
    ['example.com:0443'],
    ['example.com:+443'],
    ['example.com:443:443'],
    ['http://example.com:443'],
    ['http://example.com/'],
    ['user@example.com:443'],
    ['user:pw@example.com:443'],
    ['example.com:443/'],
    ['example.com:443?x'],
    ['example.com:443#x'],
    ['::1:443'],
    ['[::1]'],
    ['[::1]443'],
    ['[fe80::1%eth0]:443'],
    ['[fe80::1%25eth0]:443'],
    ['exa mple.com:443'],
    ['exa\\mple.com:443'],
    ['1.2.3.08:443'],
    ['4294967296:443'],
    [`${'a'.repeat(300)}:443`],
  ])('%j is refused', (target) => {
    expect(describeTarget(target)).toMatch(/^invalid: /);
  });
});
