import { request } from 'node:http';
import { closed, connectStatus, echo, sendConnect } from './support/connect-client';
import { DnsStub } from './support/dns-stub';
import { ProxyProcess } from './support/proxy-process';
import { freePort, Sink, startSinks } from './support/sinks';

/**
 * The egress role as a real process, against a stub DNS server and echo sinks, all on
 * loopback. Every address named here is in 127/8 or ::1, so even a broken proxy could
 * only reach these sinks, which count their connections. Non-loopback targets are in
 * test/netns.
 */

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

describe('egress proxy (loopback)', () => {
  let dns: DnsStub;
  let allowed: Sink;
  let second: Sink;
  let forbidden: Sink[];
  let proxy: ProxyProcess;
  let healthPort: number;

  beforeAll(async () => {
    [allowed] = await startSinks(['127.0.0.1']);
    // the same port on other loopback addresses: any wrong dial lands on one of these
    [second, ...forbidden] = await startSinks(['127.0.0.3', '127.0.0.2', '127.0.0.4', '127.0.0.5'], allowed.port);
    dns = await new DnsStub({
      'sink.test': [['127.0.0.1']],
      'two.test': [['127.0.0.1', '127.0.0.3']],
      'mixed.test': [['127.0.0.1', '127.0.0.4']],
      'mixed6.test': [['127.0.0.1', '::1']],
      'rebind.test': [['127.0.0.1'], ['127.0.0.5']],
      'loop.test': [['127.0.0.2']],
      'mapped.test': [['::ffff:127.0.0.2']],
      'broken.test': 'servfail',
      'empty.test': [[]],
    }).start();
    healthPort = await freePort();
    proxy = await ProxyProcess.start({
      EGRESS_DNS_SERVERS: dns.server,
      EGRESS_ALLOW: `${allowed.pair},${second.pair}`,
      EGRESS_HEALTH_PORT: String(healthPort),
      EGRESS_CONNECT_TIMEOUT_MS: '2000',
    });
  });

  afterAll(async () => {
    await proxy?.stop();
    await dns?.stop();
    for (const sink of [allowed, second, ...(forbidden ?? [])]) await sink?.stop();
  });

  beforeEach(() => {
    for (const sink of [allowed, second, ...forbidden]) sink.reset();
  });

  afterEach(() => {
    // whatever a test did, nothing may have reached a forbidden address
    for (const sink of forbidden) expect(sink.connections).toBe(0);
  });

  it('tunnels to an allowed ip:port and logs one line with bytes both ways', async () => {
    const reply = await sendConnect(proxy.port, allowed.pair);
    expect(reply.status).toBe(200);
    expect(reply.headers['x-caravan-egress-ip']).toBe('127.0.0.1');
    await expect(echo(reply.socket, 'hello through the tunnel')).resolves.toBe('hello through the tunnel');
    reply.socket.end();
    const line = await proxy.waitForLog((l) => l.msg === 'egress tunnel' && l.target === allowed.pair);
    expect(line).toMatchObject({ caller: '127.0.0.1', ip: '127.0.0.1', decision: 'allow', class: 'loopback', status: 200, bytesUp: 24, bytesDown: 24 });
    expect(typeof line.durationMs).toBe('number');
    expect(allowed.connections).toBe(1);
  });

  it('resolves a name once (one A, one AAAA query) and dials the answer', async () => {
    const before = dns.count('sink.test');
    const reply = await sendConnect(proxy.port, `sink.test:${allowed.port}`);
    expect(reply.status).toBe(200);
    await expect(echo(reply.socket, 'ping')).resolves.toBe('ping');
    reply.socket.destroy();
    expect(dns.count('sink.test') - before).toBe(2);
    expect(
      dns.queries
        .filter((q) => q.name === 'sink.test')
        .slice(-2)
        .map((q) => q.type)
        .sort(),
    ).toEqual(['A', 'AAAA']);
    expect(allowed.connections).toBe(1);
  });

  it('dials the first vetted answer and only that one', async () => {
    const reply = await sendConnect(proxy.port, `two.test:${allowed.port}`);
    expect(reply.status).toBe(200);
    await expect(echo(reply.socket, 'x')).resolves.toBe('x');
    reply.socket.destroy();
    expect(allowed.connections).toBe(1);
    expect(second.connections).toBe(0);
    await expect(proxy.waitForLog((l) => l.msg === 'egress tunnel' && l.target === `two.test:${allowed.port}`)).resolves.toMatchObject({ ip: '127.0.0.1' });
  });

  it.each([
    ['mixed.test', 'loopback'],
    ['mixed6.test', 'loopback'],
    ['loop.test', 'loopback'],
    ['mapped.test', 'loopback'],
  ])('denies %s (an answer is %s) and dials nothing', async (name, cls) => {
    await expect(connectStatus(proxy.port, `${name}:${allowed.port}`)).resolves.toMatchObject({ status: 403, deny: cls });
    expect(allowed.connections + second.connections).toBe(0);
  });

  it('follows a rebinding name only as far as its first, vetted answer', async () => {
    const first = await sendConnect(proxy.port, `rebind.test:${allowed.port}`);
    expect(first.status).toBe(200);
    await expect(echo(first.socket, 'first')).resolves.toBe('first');
    first.socket.destroy();
    // the next resolution answers a forbidden address: refused, never dialled
    await expect(connectStatus(proxy.port, `rebind.test:${allowed.port}`)).resolves.toMatchObject({ status: 403, deny: 'loopback' });
    expect(allowed.connections).toBe(1);
    expect(dns.count('rebind.test', 'A')).toBe(2);
  });

  it.each([
    ['127.0.0.2'],
    ['127.2'],
    ['0x7f.2'],
    ['2130706434'],
    ['0177.0.0.2'],
    ['0x7f000002'],
    ['127.0.2'],
    ['[::ffff:127.0.0.2]'],
    ['[::ffff:7f00:2]'],
    ['[::127.0.0.2]'],
    ['[::1]'],
    ['0'],
    ['0.0.0.0'],
    ['[::]'],
  ])('denies the literal %s on the allowed port without dialling', async (host) => {
    const reply = await connectStatus(proxy.port, `${host}:${allowed.port}`);
    expect(reply.status).toBe(403);
    expect(['loopback', 'unspecified']).toContain(reply.deny);
    expect(allowed.connections + second.connections).toBe(0);
  });

  it('refuses ports outside 80/443 and the allow list before asking DNS', async () => {
    const before = dns.queries.length;
    await expect(connectStatus(proxy.port, `sink.test:${allowed.port + 1}`)).resolves.toMatchObject({ status: 403, deny: 'port' });
    await expect(connectStatus(proxy.port, 'sink.test:25')).resolves.toMatchObject({ status: 403, deny: 'port' });
    expect(dns.queries.length).toBe(before);
  });

  it('denies a loopback answer on port 443 too: the pair names one port only', async () => {
    await expect(connectStatus(proxy.port, 'sink.test:443')).resolves.toMatchObject({ status: 403, deny: 'loopback' });
  });

  it.each([
    ['http://sink.test/'],
    ['sink.test'],
    ['sink.test:'],
    ['sink.test:0'],
    ['sink.test:65536'],
    ['sink.test:08080'],
    ['user@sink.test:443'],
    ['sink.test:443/path'],
    ['::1:443'],
    ['[::1%25lo]:443'],
    ['[fe80::1%lo]:443'],
    ['1.2.3.08:443'],
    ['exa_mple..test:443'],
    ['-bad.test:443'],
  ])('answers 400 to the malformed target %j', async (target) => {
    await expect(connectStatus(proxy.port, target)).resolves.toMatchObject({ status: 400 });
  });

  it('answers 502 when DNS fails or has no answer, and 405 to anything but CONNECT', async () => {
    await expect(connectStatus(proxy.port, 'nowhere.test:443')).resolves.toMatchObject({ status: 502 });
    await expect(connectStatus(proxy.port, 'broken.test:443')).resolves.toMatchObject({ status: 502 });
    await expect(connectStatus(proxy.port, 'empty.test:443')).resolves.toMatchObject({ status: 502 });
    const get = await connectStatus(proxy.port, '/', { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('CONNECT');
  });

  it('answers 502 when the vetted target refuses the connection', async () => {
    const closedPort = await freePort();
    const other = await ProxyProcess.start({ EGRESS_ALLOW: `127.0.0.1:${closedPort}` });
    try {
      await expect(connectStatus(other.port, `127.0.0.1:${closedPort}`)).resolves.toMatchObject({ status: 502 });
    } finally {
      await other.stop();
    }
  });

  it('serves health and decision counters on the side port', async () => {
    await connectStatus(proxy.port, `127.0.0.2:${allowed.port}`);
    await expect(httpGet(healthPort, '/health/live')).resolves.toMatchObject({ status: 200 });
    await expect(httpGet(healthPort, '/health/ready')).resolves.toMatchObject({ status: 200 });
    const metrics = await httpGet(healthPort, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/caravan_egress_decisions_total\{decision="deny",class="loopback"\} [1-9]\d*/);
    expect(metrics.body).toMatch(/caravan_egress_decisions_total\{decision="allow",class="loopback"\} [1-9]\d*/);
    expect(metrics.body).toMatch(/caravan_egress_decisions_total\{decision="deny",class="bad-target"\} [1-9]\d*/);
  });

  it('denies tunnels to itself (proxy and side port) even when the allow list names them', async () => {
    const [own, side] = [await freePort(), await freePort()];
    const self = await ProxyProcess.start({ EGRESS_PORT: String(own), EGRESS_HEALTH_PORT: String(side), EGRESS_ALLOW: `127.0.0.1:${own},127.0.0.1:${side}` });
    try {
      await expect(connectStatus(own, `127.0.0.1:${own}`)).resolves.toMatchObject({ status: 403, deny: 'self' });
      await expect(connectStatus(own, `2130706433:${own}`)).resolves.toMatchObject({ status: 403, deny: 'self' });
      await expect(connectStatus(own, `127.0.0.1:${side}`)).resolves.toMatchObject({ status: 403, deny: 'self' });
    } finally {
      await self.stop();
    }
  });

  it('writes exactly one log line per CONNECT', async () => {
    const before = proxy.tunnels().length;
    await connectStatus(proxy.port, `127.0.0.2:${allowed.port}`);
    await connectStatus(proxy.port, 'sink.test:25');
    await proxy.waitForLog(() => proxy.tunnels().length >= before + 2);
    const lines = proxy.tunnels().slice(before);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      target: `127.0.0.2:${allowed.port}`,
      decision: 'deny',
      class: 'loopback',
      ip: '127.0.0.2',
      status: 403,
      bytesUp: 0,
      bytesDown: 0,
    });
    expect(lines[1]).toMatchObject({ target: 'sink.test:25', decision: 'deny', class: 'port', status: 403 });
    expect(JSON.stringify(lines)).not.toMatch(/authorization/i);
  });
});

describe('egress proxy: caller authentication', () => {
  let sink: Sink;
  let proxy: ProxyProcess;

  beforeAll(async () => {
    [sink] = await startSinks(['127.0.0.1']);
    proxy = await ProxyProcess.start({ EGRESS_CREDENTIALS: 'worker:s3cret-pass', EGRESS_ALLOW: sink.pair });
  });

  afterAll(async () => {
    await proxy?.stop();
    await sink?.stop();
  });

  it.each([[undefined], ['worker:wrong'], ['worker:s3cret-pas'], ['Worker:s3cret-pass'], ['worker:s3cret-pass:']])(
    'answers 407 to credentials %j',
    async (auth) => {
      const reply = await connectStatus(proxy.port, sink.pair, { auth });
      expect(reply.status).toBe(407);
      expect(reply.headers['proxy-authenticate']).toMatch(/^Basic /);
    },
  );

  it('authenticates before anything else, even for a malformed target', async () => {
    await expect(connectStatus(proxy.port, 'no-port-here')).resolves.toMatchObject({ status: 407 });
  });

  it('tunnels with the right credentials', async () => {
    const reply = await sendConnect(proxy.port, sink.pair, { auth: 'worker:s3cret-pass' });
    expect(reply.status).toBe(200);
    await expect(echo(reply.socket, 'authed')).resolves.toBe('authed');
    reply.socket.destroy();
    expect(sink.connections).toBe(1);
  });
});

describe('egress proxy: limits', () => {
  let sink: Sink;

  beforeAll(async () => {
    [sink] = await startSinks(['127.0.0.1']);
  });

  afterAll(async () => {
    await sink?.stop();
  });

  it('caps concurrent tunnels with 503 and Retry-After', async () => {
    const proxy = await ProxyProcess.start({ EGRESS_ALLOW: sink.pair, EGRESS_MAX_TUNNELS: '1' });
    try {
      const first = await sendConnect(proxy.port, sink.pair);
      expect(first.status).toBe(200);
      const refused = await connectStatus(proxy.port, sink.pair);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      first.socket.destroy();
      await proxy.waitForLog((l) => l.msg === 'egress tunnel' && l.status === 200);
      const again = await sendConnect(proxy.port, sink.pair);
      expect(again.status).toBe(200);
      again.socket.destroy();
    } finally {
      await proxy.stop();
    }
  });

  it('closes an idle tunnel after EGRESS_IDLE_TIMEOUT_MS', async () => {
    const proxy = await ProxyProcess.start({ EGRESS_ALLOW: sink.pair, EGRESS_IDLE_TIMEOUT_MS: '300' });
    try {
      const reply = await sendConnect(proxy.port, sink.pair);
      expect(reply.status).toBe(200);
      const started = Date.now();
      await closed(reply.socket, 5000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      await expect(proxy.waitForLog((l) => l.msg === 'egress tunnel' && l.status === 200)).resolves.toMatchObject({ end: 'idle' });
    } finally {
      await proxy.stop();
    }
  });

  it('closes a busy tunnel after EGRESS_MAX_TUNNEL_MS', async () => {
    const proxy = await ProxyProcess.start({ EGRESS_ALLOW: sink.pair, EGRESS_IDLE_TIMEOUT_MS: '500', EGRESS_MAX_TUNNEL_MS: '1000' });
    try {
      const reply = await sendConnect(proxy.port, sink.pair);
      expect(reply.status).toBe(200);
      reply.socket.resume();
      reply.socket.on('error', () => undefined);
      const ticker = setInterval(() => reply.socket.write('tick'), 100);
      try {
        await closed(reply.socket, 5000);
      } finally {
        clearInterval(ticker);
      }
      await expect(proxy.waitForLog((l) => l.msg === 'egress tunnel' && l.status === 200)).resolves.toMatchObject({ end: 'max-duration' });
    } finally {
      await proxy.stop();
    }
  });
});

describe('egress proxy: shutdown', () => {
  let sink: Sink;

  beforeAll(async () => {
    [sink] = await startSinks(['127.0.0.1']);
  });

  afterAll(async () => {
    await sink?.stop();
  });

  it('on SIGTERM stops accepting, lets an open tunnel finish, then exits 0', async () => {
    const proxy = await ProxyProcess.start({ EGRESS_ALLOW: sink.pair });
    try {
      const reply = await sendConnect(proxy.port, sink.pair);
      expect(reply.status).toBe(200);
      proxy.signal('SIGTERM');
      await proxy.waitForLog((l) => l.msg === 'egress proxy draining');
      await expect(sendConnect(proxy.port, sink.pair, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await expect(echo(reply.socket, 'still open')).resolves.toBe('still open');
      reply.socket.end();
      await expect(proxy.exited(4000)).resolves.toBe(0);
    } finally {
      await proxy.stop();
    }
  });

  it('cuts a tunnel that outlives the shutdown grace', async () => {
    const proxy = await ProxyProcess.start({ EGRESS_ALLOW: sink.pair });
    try {
      const reply = await sendConnect(proxy.port, sink.pair);
      expect(reply.status).toBe(200);
      proxy.signal('SIGTERM');
      await closed(reply.socket, 10_000);
      await expect(proxy.exited(5000)).resolves.toBe(0);
      expect(proxy.tunnels().at(-1)).toMatchObject({ end: 'shutdown' });
    } finally {
      await proxy.stop();
    }
  });
});
