import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { createGuardedConnect, GuardedConnectOptions, HostLookup } from './guarded-connect';

/**
 * Loopback only: every address these tests name (allowed or denied) is on 127/8, so a
 * broken guard can at worst reach a local sink, which the tests count.
 */
interface Sink {
  server: Server;
  port: number;
  connections: number;
  hosts: string[];
}

async function startSink(host: string, port = 0): Promise<Sink> {
  const sink: Sink = { server: createServer(), port: 0, connections: 0, hosts: [] };
  sink.server.on('connection', () => sink.connections++);
  sink.server.on('request', (req, res) => {
    sink.hosts.push(req.headers.host ?? '');
    res.end('ok');
  });
  await new Promise<void>((resolve) => sink.server.listen(port, host, resolve));
  sink.port = (sink.server.address() as AddressInfo).port;
  return sink;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

function fixedLookup(...addresses: string[]): HostLookup & { calls: string[] } {
  const calls: string[] = [];
  const fn = (host: string) => {
    calls.push(host);
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  return Object.assign(fn, { calls });
}

async function get(origin: string, opts: GuardedConnectOptions): Promise<string> {
  const pool = new Pool(origin, { connect: createGuardedConnect(opts) });
  try {
    const res = await pool.request({ path: '/', method: 'GET' });
    return await res.body.text();
  } finally {
    await pool.close();
  }
}

describe('createGuardedConnect', () => {
  let allowed: Sink;
  let forbidden: Sink;

  beforeAll(async () => {
    allowed = await startSink('127.0.0.1');
    // the same port on another loopback address: a wrong dial would land here
    forbidden = await startSink('127.0.0.2', allowed.port);
  });

  afterAll(async () => {
    await stop(allowed.server);
    await stop(forbidden.server);
  });

  beforeEach(() => {
    allowed.connections = 0;
    forbidden.connections = 0;
    allowed.hosts.length = 0;
  });

  it('resolves once, dials the vetted address and keeps the host name in the request', async () => {
    const lookup = fixedLookup('127.0.0.1');
    await expect(get(`http://sink.test:${allowed.port}`, { allow: [`127.0.0.1:${allowed.port}`], lookup, connectTimeoutMs: 2000 })).resolves.toBe('ok');
    expect(lookup.calls).toEqual(['sink.test']);
    expect(allowed.connections).toBe(1);
    expect(allowed.hosts).toEqual([`sink.test:${allowed.port}`]);
  });

  it('dials the first answer when several pass', async () => {
    const lookup = fixedLookup('127.0.0.1', '127.0.0.2');
    const opts = { allow: [`127.0.0.1:${allowed.port}`, `127.0.0.2:${allowed.port}`], lookup, connectTimeoutMs: 2000 };
    await expect(get(`http://sink.test:${allowed.port}`, opts)).resolves.toBe('ok');
    expect(allowed.connections).toBe(1);
    expect(forbidden.connections).toBe(0);
  });

  it('denies a mixed answer and dials nothing', async () => {
    const lookup = fixedLookup('127.0.0.1', '127.0.0.2');
    const err = await get(`http://sink.test:${allowed.port}`, { allow: [`127.0.0.1:${allowed.port}`], lookup, connectTimeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'EGRESS_DENIED', denyClass: 'loopback', address: '127.0.0.2' });
    expect(allowed.connections + forbidden.connections).toBe(0);
  });

  it.each([['http://127.0.0.2:PORT'], ['http://2130706434:PORT'], ['http://0x7f.2:PORT'], ['http://127.2:PORT'], ['http://[::ffff:127.0.0.2]:PORT']])(
    'judges the literal %s without a lookup',
    async (origin) => {
      const lookup = fixedLookup('127.0.0.1');
      const err = await get(origin.replace('PORT', String(allowed.port)), { allow: [`127.0.0.1:${allowed.port}`], lookup, connectTimeoutMs: 2000 }).catch(
        (e: unknown) => e,
      );
      expect(err).toMatchObject({ code: 'EGRESS_DENIED', denyClass: 'loopback' });
      expect(lookup.calls).toEqual([]);
      expect(forbidden.connections).toBe(0);
    },
  );

  it('applies the port policy when given one', async () => {
    const lookup = fixedLookup('127.0.0.1');
    const err = await get(`http://sink.test:${allowed.port}`, { allow: ['127.0.0.0/8'], ports: [80, 443], lookup, connectTimeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'EGRESS_DENIED', denyClass: 'port' });
    expect(allowed.connections).toBe(0);
  });

  it('accepts an injected classifier as the stand-in for a public address', async () => {
    const lookup = fixedLookup('127.0.0.1');
    const opts = { allow: [], lookup, connectTimeoutMs: 2000, classify: () => 'global' as const };
    await expect(get(`http://public.test:${allowed.port}`, opts)).resolves.toBe('ok');
  });

  it('gives up on a lookup that does not answer within the connect timeout', async () => {
    const never: HostLookup = () => new Promise(() => undefined);
    const started = Date.now();
    const err = await get(`http://slow.test:${allowed.port}`, { allow: ['127.0.0.0/8'], lookup: never, connectTimeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EGRESS_DNS_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails a name with no addresses', async () => {
    const err = await get(`http://none.test:${allowed.port}`, { allow: ['127.0.0.0/8'], lookup: fixedLookup(), connectTimeoutMs: 2000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'ENOTFOUND' });
  });

  describe('over TLS', () => {
    let dir: string;
    let tls: Server;
    let port: number;
    const servernames: string[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'guard-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
          '-days',
          '1',
          '-subj',
          '/CN=sink.test',
          '-addext',
          'subjectAltName=DNS:sink.test',
        ],
        { stdio: 'ignore' },
      );
      tls = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => res.end('secure'));
      tls.on('secureConnection', (socket: { servername?: string | false }) => servernames.push(String(socket.servername)));
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
      port = (tls.address() as AddressInfo).port;
    });

    afterAll(async () => {
      await stop(tls);
      rmSync(dir, { recursive: true, force: true });
    });

    it('dials the vetted address but verifies the certificate for the host name', async () => {
      const opts = {
        allow: [`127.0.0.1:${port}`],
        lookup: fixedLookup('127.0.0.1'),
        connectTimeoutMs: 2000,
        connector: { ca: readFileSync(join(dir, 'cert.pem')) },
      };
      await expect(get(`https://sink.test:${port}`, opts)).resolves.toBe('secure');
      expect(servernames).toEqual(['sink.test']);
    });

    it('still refuses a certificate for another name', async () => {
      const opts = {
        allow: [`127.0.0.1:${port}`],
        lookup: fixedLookup('127.0.0.1'),
        connectTimeoutMs: 2000,
        connector: { ca: readFileSync(join(dir, 'cert.pem')) },
      };
      await expect(get(`https://other.test:${port}`, opts)).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
    });
  });
});
