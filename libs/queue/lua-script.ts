import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

/**
 * A Lua script run by its SHA1 (EVALSHA): Redis keeps compiled scripts, so a hot script's
 * text is sent and hashed once per server instead of on every call. A server that does
 * not know it yet (first call, a restart, a Sentinel failover to another master) answers
 * NOSCRIPT, and the text goes once with EVAL. Keys are prefixed by the client as for any
 * command.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
