import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { LuaScript } from '../../libs/queue';
import { deleteRedisPrefix, TEST_REDIS_URL, testRedisPrefix } from '../../libs/testing';

/** Scripts run by SHA against the real Redis, with the client's key prefix. */
describe('LuaScript (integration)', () => {
  const prefix = testRedisPrefix('lua');
  const redis = new Redis(TEST_REDIS_URL, { keyPrefix: `${prefix}:` });
  afterAll(async () => {
    redis.disconnect();
    await deleteRedisPrefix(prefix);
  });

  it('sends the text once when the server does not know the script, then runs it by SHA', async () => {
    // a script no server has seen: the first run meets NOSCRIPT
    const script = new LuaScript(`-- ${randomUUID()}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`);
    await redis.ping(); // connected first: the spy sees only the script calls, not the connection set-up or the offline queue
    const sent: string[] = [];
    const spy = (cmd: { name: string }) => void (cmd.name.startsWith('eval') && sent.push(cmd.name));
    const original = redis.sendCommand.bind(redis);
    redis.sendCommand = (cmd: { name: string }, ...rest: unknown[]) => {
      spy(cmd);
      return (original as (...a: unknown[]) => unknown)(cmd, ...rest);
    };
    try {
      expect(await script.run(redis, ['n'], [2])).toBe(2);
      expect(await script.run(redis, ['n'], [3])).toBe(5);
    } finally {
      redis.sendCommand = original;
    }
    expect(sent).toEqual(['evalsha', 'eval', 'evalsha']);
    // the key was the prefixed one
    const plain = new Redis(TEST_REDIS_URL);
    try {
      expect(await plain.get(`${prefix}:n`)).toBe('5');
    } finally {
      plain.disconnect();
    }
  });

  it('passes script errors through', async () => {
    const script = new LuaScript(`return redis.call('NOPE')`);
    await expect(script.run(redis, [], [])).rejects.toThrow(/Unknown Redis command|unknown command/i);
  });
});
