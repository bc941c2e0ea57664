import type { Agent, Dispatcher } from 'undici';
import { ClientCertDispatchers } from './client-cert-dispatchers';

const closed = (d: Dispatcher): boolean => (d as Agent).closed;

const config = { egressProxyUrl: undefined, egressAllow: [] };
const cert = { cert: 'c', key: 'k' };

describe('ClientCertDispatchers', () => {
  it('keeps one pool per endpoint while its certificate stays the same', async () => {
    const pools = new ClientCertDispatchers(config, 4);
    expect(pools.get('ep1', 'v1', cert)).toBe(pools.get('ep1', 'v1', cert));
    expect(pools.get('ep2', 'v1', cert)).not.toBe(pools.get('ep1', 'v1', cert));
    await pools.close();
  });

  it('replaces and closes the pool when the certificate changes', async () => {
    const pools = new ClientCertDispatchers(config, 4);
    const old = pools.get('ep1', 'v1', cert);
    const next = pools.get('ep1', 'v2', cert);
    expect(next).not.toBe(old);
    expect(pools.size).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(closed(old)).toBe(true);
    await pools.close();
  });

  it('closes the least recently used pools past its bound', async () => {
    const pools = new ClientCertDispatchers(config, 2);
    const a = pools.get('a', 'v', cert);
    const b = pools.get('b', 'v', cert);
    pools.get('a', 'v', cert);
    pools.get('c', 'v', cert);
    expect(pools.size).toBe(2);
    // b was the least recently used: a survives, b does not
    expect(pools.get('a', 'v', cert)).toBe(a);
    await new Promise((r) => setImmediate(r));
    expect(closed(a)).toBe(false);
    expect(closed(b)).toBe(true);
    await pools.close();
    expect(pools.size).toBe(0);
  });
});
