import { createServer, Server } from 'node:http';
import { Pool } from 'undici';
import { createGuardedConnect, HostLookup } from '../../libs/ssrf';
import { Canaries } from './support/canaries';
import { addLoopbackAddresses, describeInNetns } from './support/netns';

/**
 * The worker's in-process guard (no proxy) asked for forbidden, non-loopback targets,
 * inside the loopback-only namespace with canaries on those addresses.
 */

function lookupOf(table: Record<string, string[]>): HostLookup {
  return (host) => Promise.resolve((table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
}

const lookup = lookupOf({
  'metadata.test': ['169.254.169.254'],
  'metadata6.test': ['fd00:ec2::254'],
  'internal.test': ['10.0.0.1'],
  'mapped.test': ['::ffff:10.0.0.1'],
  'nat64.test': ['64:ff9b::a9fe:a9fe'],
  'mixed.test': ['10.20.0.2', '169.254.169.254'],
  'exception.test': ['10.20.0.2'],
});

async function get(origin: string, allow: string[] = ['10.20.0.0/16']): Promise<number> {
  const pool = new Pool(origin, { connect: createGuardedConnect({ allow, lookup, connectTimeoutMs: 1000 }) });
  try {
    const res = await pool.request({ path: '/latest/meta-data/', method: 'GET' });
    await res.body.dump();
    return res.statusCode;
  } finally {
    await pool.close();
  }
}

describeInNetns('guarded undici connect (network namespace)', () => {
  let canaries: Canaries;
  let exception: Server;
  let hits = 0;

  beforeAll(async () => {
    canaries = await Canaries.start();
    addLoopbackAddresses(['10.20.0.2']);
    exception = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => exception.listen(80, '10.20.0.2', resolve));
  });

  afterAll(async () => {
    exception?.closeAllConnections();
    await new Promise<void>((resolve) => (exception ? exception.close(() => resolve()) : resolve()));
    await canaries?.stop();
  });

  afterEach(() => {
    expect(canaries.reached()).toEqual([]);
  });

  it.each([
    ['http://metadata.test', 'link-local'],
    ['http://metadata6.test', 'unique-local'],
    ['http://internal.test:443', 'private'],
    ['http://mapped.test:443', 'private'],
    ['http://nat64.test', 'nat64'],
    ['http://mixed.test', 'link-local'],
    ['http://169.254.169.254', 'link-local'],
    ['http://0xa9fea9fe', 'link-local'],
    ['http://2852039166', 'link-local'],
    ['http://[::ffff:169.254.169.254]', 'link-local'],
    ['http://[fd00:ec2::254]', 'unique-local'],
    ['https://10.0.0.1', 'private'],
    ['https://192.168.1.1', 'private'],
    ['https://100.64.0.1', 'cgnat'],
    ['https://[2002:a9fe:a9fe::1]', '6to4'],
    ['https://[2001::1]', 'teredo'],
  ])('%s is refused as %s before any dial', async (origin, denyClass) => {
    await expect(get(origin)).rejects.toMatchObject({ code: 'EGRESS_DENIED', denyClass });
  });

  it('never lets an allow entry reach metadata, because none can be configured', () => {
    expect(() => createGuardedConnect({ allow: ['169.254.169.254:80'], connectTimeoutMs: 1000 })).toThrow(/link-local\/metadata/);
    expect(() => createGuardedConnect({ allow: ['0.0.0.0/0'], connectTimeoutMs: 1000 })).toThrow(/link-local\/metadata/);
  });

  it('reaches a private address the allow list names', async () => {
    await expect(get('http://exception.test')).resolves.toBe(200);
    await expect(get('http://10.20.0.2')).resolves.toBe(200);
    expect(hits).toBe(2);
  });
});
