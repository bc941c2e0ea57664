import { closed, connectStatus, echo, sendConnect } from '../integration/egress/support/connect-client';
import { DnsStub } from '../integration/egress/support/dns-stub';
import { ProxyProcess } from '../integration/egress/support/proxy-process';
import { freePort, Sink } from '../integration/egress/support/sinks';
import { Canaries } from './support/canaries';
import { addLoopbackAddresses, addSilentRoute, describeInNetns } from './support/netns';

/**
 * The real egress process asked for forbidden, non-loopback targets, inside a
 * loopback-only namespace where those addresses exist on lo with canaries listening.
 * A denial must be a 403 naming the class, and no canary may ever see a connection.
 */
describeInNetns('egress proxy (network namespace)', () => {
  let canaries: Canaries;
  let dns: DnsStub;
  let sink: Sink;
  let exception: Sink;
  let proxy: ProxyProcess;

  beforeAll(async () => {
    canaries = await Canaries.start();
    addLoopbackAddresses(['10.20.0.1']);
    // a firewalled host: nothing answers, so the dial can only time out
    addSilentRoute('10.99.0.0/16');
    sink = await new Sink('127.0.0.1').start(8443);
    exception = await new Sink('10.20.0.1').start(443);
    dns = await new DnsStub({
      'metadata.test': [['169.254.169.254']],
      'metadata6.test': [['fd00:ec2::254']],
      'mapped-metadata.test': [['::ffff:169.254.169.254']],
      'nat64.test': [['64:ff9b::a9fe:a9fe']],
      'internal.test': [['10.0.0.1']],
      'ula.test': [['fd00::1']],
      'mixed.test': [['127.0.0.1', '10.0.0.1']],
      'mixed-v6.test': [['127.0.0.1', 'fd00::1']],
      'rebind.test': [['127.0.0.1'], ['169.254.169.254']],
      'public.test': [['8.8.8.8']],
      'exception.test': [['10.20.0.1']],
    }).start();
    proxy = await ProxyProcess.start({
      EGRESS_DNS_SERVERS: dns.server,
      EGRESS_ALLOW: `${sink.pair},10.20.0.0/16,10.99.0.1:443`,
      EGRESS_CONNECT_TIMEOUT_MS: '500',
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    await dns?.stop();
    await sink?.stop();
    await exception?.stop();
    await canaries?.stop();
  });

  afterEach(() => {
    expect(canaries.reached()).toEqual([]);
  });

  it.each([
    ['10.0.0.1:443', 'private'],
    ['10.1:443', 'private'],
    ['167772161:443', 'private'],
    ['012.0.0.1:443', 'private'],
    ['192.168.1.1:443', 'private'],
    ['172.16.0.1:443', 'private'],
    ['100.64.0.1:443', 'cgnat'],
    ['192.0.0.1:443', 'ietf-protocol'],
    ['192.0.2.1:443', 'documentation'],
    ['198.18.0.1:443', 'benchmark'],
    ['224.0.0.1:443', 'multicast'],
    ['240.0.0.1:443', 'reserved'],
    ['255.255.255.255:443', 'broadcast'],
    ['0.0.0.0:443', 'unspecified'],
    ['127.0.0.1:443', 'loopback'],
    ['[::]:443', 'unspecified'],
    ['[::1]:443', 'loopback'],
    ['169.254.169.254:80', 'link-local'],
    ['0xa9fea9fe:80', 'link-local'],
    ['2852039166:80', 'link-local'],
    ['0251.0376.0251.0376:80', 'link-local'],
    ['0xa9.0xfe.0xa9.0xfe:80', 'link-local'],
    ['169.254.43518:80', 'link-local'],
    ['[::ffff:169.254.169.254]:80', 'link-local'],
    ['[::ffff:a9fe:a9fe]:80', 'link-local'],
    ['[::169.254.169.254]:80', 'link-local'],
    ['[fe80::1]:443', 'link-local'],
    ['[fd00:ec2::254]:80', 'unique-local'],
    ['[fd00::1]:443', 'unique-local'],
    ['[64:ff9b::a9fe:a9fe]:80', 'nat64'],
    ['[64:ff9b::169.254.169.254]:80', 'nat64'],
    ['[2002:a9fe:a9fe::1]:80', '6to4'],
    ['[2001::1]:443', 'teredo'],
    ['[2001:db8::1]:443', 'documentation'],
    ['[ff02::1]:443', 'multicast'],
  ])('CONNECT %s → 403 %s, nothing dialled', async (target, cls) => {
    await expect(connectStatus(proxy.port, target)).resolves.toMatchObject({ status: 403, deny: cls });
  });

  it.each([
    ['metadata.test:80', 'link-local'],
    ['metadata6.test:80', 'unique-local'],
    ['mapped-metadata.test:80', 'link-local'],
    ['nat64.test:80', 'nat64'],
    ['internal.test:443', 'private'],
    ['ula.test:443', 'unique-local'],
  ])('CONNECT %s (a name for a forbidden address) → 403 %s', async (target, cls) => {
    await expect(connectStatus(proxy.port, target)).resolves.toMatchObject({ status: 403, deny: cls });
  });

  it.each([
    ['mixed.test', 'private'],
    ['mixed-v6.test', 'unique-local'],
  ])('denies %s, whose allowed first answer comes with a forbidden one', async (name, cls) => {
    await expect(connectStatus(proxy.port, `${name}:8443`)).resolves.toMatchObject({ status: 403, deny: cls });
    expect(sink.connections).toBe(0);
  });

  it('does not follow a name that rebinds to metadata', async () => {
    sink.reset();
    const first = await sendConnect(proxy.port, 'rebind.test:8443');
    expect(first.status).toBe(200);
    await expect(echo(first.socket, 'vetted')).resolves.toBe('vetted');
    first.socket.destroy();
    await expect(connectStatus(proxy.port, 'rebind.test:8443')).resolves.toMatchObject({ status: 403, deny: 'link-local' });
    await expect(connectStatus(proxy.port, 'rebind.test:8443')).resolves.toMatchObject({ status: 403, deny: 'link-local' });
    expect(sink.connections).toBe(1);
  });

  it('refuses a public address on a port outside the policy without dialling', async () => {
    await expect(connectStatus(proxy.port, '8.8.8.8:25')).resolves.toMatchObject({ status: 403, deny: 'port' });
    await expect(connectStatus(proxy.port, 'public.test:25')).resolves.toMatchObject({ status: 403, deny: 'port' });
  });

  it('lets a CIDR exception through on policy ports only', async () => {
    const reply = await sendConnect(proxy.port, 'exception.test:443');
    expect(reply.status).toBe(200);
    await expect(echo(reply.socket, 'inside')).resolves.toBe('inside');
    reply.socket.destroy();
    expect(exception.connections).toBe(1);
    await expect(connectStatus(proxy.port, '10.20.0.1:8443')).resolves.toMatchObject({ status: 403, deny: 'port' });
  });

  it('answers 504 when the vetted target never answers', async () => {
    const started = Date.now();
    await expect(connectStatus(proxy.port, '10.99.0.1:443')).resolves.toMatchObject({ status: 504 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    await expect(proxy.waitForLog((l) => l.msg === 'egress tunnel' && l.target === '10.99.0.1:443')).resolves.toMatchObject({
      decision: 'error',
      class: 'connect-timeout',
      ip: '10.99.0.1',
    });
  });
});

describeInNetns('egress proxy on every address (network namespace)', () => {
  const local = '10.0.0.7';
  let proxy: ProxyProcess;
  let port: number;

  beforeAll(async () => {
    addLoopbackAddresses([local]);
    port = await freePort();
    proxy = await ProxyProcess.start({ EGRESS_HOST: '0.0.0.0', EGRESS_PORT: String(port), EGRESS_ALLOW: `${local}:${port}` });
  });

  afterAll(async () => {
    await proxy?.stop();
  });

  it('without EGRESS_CREDENTIALS refuses a caller that is not on loopback', async () => {
    const reply = await connectStatus(port, `${local}:${port}`, { proxyHost: local, localAddress: local });
    expect(reply.status).toBe(407);
    await expect(proxy.waitForLog((l) => l.msg === 'egress tunnel' && l.caller === local)).resolves.toMatchObject({ class: 'auth' });
  });

  it('treats every local address as itself when listening on 0.0.0.0', async () => {
    await expect(connectStatus(port, `${local}:${port}`)).resolves.toMatchObject({ status: 403, deny: 'self' });
    await expect(connectStatus(port, `127.0.0.9:${port}`)).resolves.toMatchObject({ status: 403 });
  });

  it('closes the refused connection', async () => {
    const reply = await sendConnect(port, `${local}:${port}`, { proxyHost: local, localAddress: local });
    await expect(closed(reply.socket, 3000)).resolves.toBeUndefined();
  });
});
