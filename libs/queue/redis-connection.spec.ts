import { describeRedis, redisConnectionOptions } from './redis-connection';

const base = {
  redisUrl: 'redis://:urlpass@10.1.2.3:6390/2',
  redisPassword: '',
  redisSentinels: [],
  redisSentinelMaster: 'mymaster',
  redisSentinelPassword: '',
};

describe('redisConnectionOptions', () => {
  it('reaches the server of REDIS_URL when no Sentinel is named', () => {
    const o = redisConnectionOptions(base, { maxRetriesPerRequest: null });
    expect(o).toMatchObject({ host: '10.1.2.3', port: 6390, db: 2, password: 'urlpass', maxRetriesPerRequest: null });
    expect(o.sentinels).toBeUndefined();
  });

  it('asks the Sentinels for the named master, with both passwords, and follows failovers', () => {
    const o = redisConnectionOptions(
      {
        ...base,
        redisPassword: 'serverpass',
        redisSentinels: ['10.0.0.1:26380', 'sentinel-b', '[::1]:26381'],
        redisSentinelMaster: 'caravan',
        redisSentinelPassword: 'sentpass',
      },
      { keyPrefix: 'p:' },
    );
    expect(o).toMatchObject({
      sentinels: [
        { host: '10.0.0.1', port: 26380 },
        { host: 'sentinel-b', port: 26379 },
        { host: '::1', port: 26381 },
      ],
      name: 'caravan',
      role: 'master',
      password: 'serverpass',
      sentinelPassword: 'sentpass',
      failoverDetector: true,
      db: 2,
      keyPrefix: 'p:',
    });
    expect(o.host).toBeUndefined();
  });

  it('reconnects on READONLY, which a demoted master answers to writes', () => {
    const o = redisConnectionOptions(base);
    const decide = o.reconnectOnError as (e: Error) => unknown;
    expect(decide(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(decide(new Error('ERR unknown command'))).toBe(false);
  });

  it('never puts a password in the description', () => {
    expect(describeRedis(base)).toBe('10.1.2.3:6390');
    expect(describeRedis({ ...base, redisSentinels: ['a:1'] })).toBe('master "mymaster" via sentinels a:1');
  });
});
