import { validateEndpointUrl } from './url-policy';

const open = { allow: [], requireHttps: false };

describe('validateEndpointUrl', () => {
  it.each([
    ['https://hooks.example.com/in'],
    ['http://hooks.example.com:8080/in?x=1#y'],
    ['https://8.8.8.8/'],
    ['https://[2606:4700:4700::1111]/'],
    ['https://localhost.example.com/'],
    ['https://[::ffff:8.8.8.8]/'],
  ])('%s is fine', (url) => {
    expect(validateEndpointUrl(url, open)).toEqual({ ok: true });
  });

  it.each([
    ['not a url', 'invalid_url'],
    ['/relative/path', 'invalid_url'],
    ['https://exa mple.com/', 'invalid_url'],
    ['https://example.com/\n', 'invalid_url'],
    ['http://1.2.3.08/', 'invalid_url'],
    ['http://example.123/', 'invalid_url'],
    ['http://[fe80::1%25eth0]/', 'invalid_url'],
    ['ftp://example.com/', 'scheme_not_allowed'],
    ['file:///etc/passwd', 'scheme_not_allowed'],
    ['gopher://example.com:6379/_INFO', 'scheme_not_allowed'],
    ['javascript:alert(1)', 'scheme_not_allowed'],
    ['https://user:pass@example.com/', 'userinfo_not_allowed'],
    ['https://user@example.com/', 'userinfo_not_allowed'],
    ['https://:pass@example.com/', 'userinfo_not_allowed'],
    [`https://example.com/${'a'.repeat(2048)}`, 'url_too_long'],
  ])('%j is refused with %s', (url, code) => {
    expect(validateEndpointUrl(url, open)).toMatchObject({ ok: false, code });
  });

  it('accepts exactly 2048 characters and refuses 2049', () => {
    const base = 'https://example.com/';
    expect(validateEndpointUrl(base + 'a'.repeat(2048 - base.length), open)).toEqual({ ok: true });
    expect(validateEndpointUrl(base + 'a'.repeat(2049 - base.length), open)).toMatchObject({ code: 'url_too_long' });
  });

  it('requires https when told to', () => {
    expect(validateEndpointUrl('http://example.com/', { allow: [], requireHttps: true })).toMatchObject({ ok: false, code: 'scheme_not_allowed' });
    expect(validateEndpointUrl('https://example.com/', { allow: [], requireHttps: true })).toEqual({ ok: true });
  });

  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://0.0.0.0/', 'unspecified'],
    ['http://0/', 'unspecified'],
    ['http://10.0.0.5/admin', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://0xa9fea9fe/', 'link-local'],
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://[fd00:ec2::254]/', 'unique-local'],
    ['http://[64:ff9b::a9fe:a9fe]/', 'nat64'],
    ['http://[2002:a9fe:a9fe::]/', '6to4'],
    ['http://[2001::1]/', 'teredo'],
    ['http://100.64.0.1/', 'cgnat'],
    ['http://224.0.0.1/', 'multicast'],
    ['http://255.255.255.255/', 'broadcast'],
    ['http://192.0.2.1/', 'documentation'],
  ])('%s is refused as a %s address', (url, cls) => {
    const verdict = validateEndpointUrl(url, open);
    expect(verdict).toMatchObject({ ok: false, code: 'address_not_allowed' });
    expect(verdict.ok === false && verdict.reason).toContain(cls);
  });

  it.each([['http://localhost/'], ['http://LOCALHOST:8080/'], ['http://api.localhost/'], ['http://localhost./'], ['http://localhost.localdomain/']])(
    '%s is refused as a loopback name',
    (url) => {
      expect(validateEndpointUrl(url, open)).toMatchObject({ ok: false, code: 'address_not_allowed' });
    },
  );

  it('lets the allow list through for the exact ip:port it names', () => {
    const opts = { allow: ['127.0.0.1:8080', '10.1.0.0/16'], requireHttps: false };
    expect(validateEndpointUrl('http://127.0.0.1:8080/', opts)).toEqual({ ok: true });
    expect(validateEndpointUrl('http://127.1:8080/', opts)).toEqual({ ok: true });
    expect(validateEndpointUrl('http://localhost:8080/', opts)).toEqual({ ok: true });
    expect(validateEndpointUrl('http://127.0.0.1:8081/', opts)).toMatchObject({ code: 'address_not_allowed' });
    expect(validateEndpointUrl('http://localhost:8081/', opts)).toMatchObject({ code: 'address_not_allowed' });
    expect(validateEndpointUrl('http://10.1.2.3/', opts)).toEqual({ ok: true });
    expect(validateEndpointUrl('http://10.2.0.1/', opts)).toMatchObject({ code: 'address_not_allowed' });
    expect(validateEndpointUrl('https://[::1]:8080/', opts)).toMatchObject({ code: 'address_not_allowed' });
  });

  it('refuses port 0, backslashes and cloud metadata names', () => {
    const o = { allow: [], requireHttps: false };
    expect(validateEndpointUrl('http://example.com:0/', o)).toMatchObject({ ok: false, code: 'invalid_url' });
    expect(validateEndpointUrl('http://example.com\\@127.0.0.1/', o)).toMatchObject({ ok: false, code: 'invalid_url' });
    for (const host of ['metadata.google.internal', 'METADATA.GOOGLE.INTERNAL.', 'metadata', 'instance-data.ec2.internal']) {
      expect(validateEndpointUrl(`http://${host}/computeMetadata/v1/`, o)).toMatchObject({ ok: false, code: 'address_not_allowed' });
    }
    expect(validateEndpointUrl('http://example.com:65535/', o)).toEqual({ ok: true });
  });

  it('names the setting that would allow what it refuses', () => {
    expect(validateEndpointUrl('http://hooks.example.com/', { allow: [], requireHttps: true })).toMatchObject({
      code: 'scheme_not_allowed',
      reason: expect.stringContaining('config.ssl.enforce_secure_endpoints'),
    });
    expect(validateEndpointUrl('http://127.0.0.1:9/', { allow: [], requireHttps: false })).toMatchObject({ reason: expect.stringContaining('EGRESS_ALLOW') });
  });
});
