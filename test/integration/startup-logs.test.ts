import { ChildProcess, spawn } from 'node:child_process';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { createTestDatabase, deleteRedisPrefix, TestDatabase, testRedisPrefix, TEST_ADMIN_KEY, TEST_REDIS_URL, waitUntil } from '../../libs/testing';

const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli.js');

/** A port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function holdPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '0.0.0.0', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

interface Run {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exit: Promise<number | null>;
}

type Line = Record<string, unknown> & { msg?: string };

/** Every line of the output; a line that is not JSON is kept as `{raw}` so tests can refuse it. */
function lines(text: string): Line[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Line;
      } catch {
        return { raw: l };
      }
    });
}

/**
 * What an operator sees when a dependency is missing: the real built processes against a
 * port nothing listens on. One structured line per dependency naming the variable to
 * check, no stack traces, readiness in words, a prompt shutdown, one line naming the
 * ports, and a taken port named by its variable.
 */
describe('start-up and dependency logs (integration)', () => {
  let db: TestDatabase;
  const prefix = testRedisPrefix('logs');
  const children: ChildProcess[] = [];

  function run(args: string[], env: Record<string, string>): Run {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: prefix,
        CARAVAN_ADMIN_KEY: TEST_ADMIN_KEY,
        LOG_LEVEL: 'info',
        PORT: '0',
        WORKER_HEALTH_PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, out: () => out, err: () => err, exit };
  }

  beforeAll(async () => {
    db = await createTestDatabase('logs');
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await db?.drop();
    await deleteRedisPrefix(prefix);
  });

  it('says once, in one JSON line, that Redis is unreachable and which variable to check; readiness says it in words; SIGTERM stops at once', async () => {
    const redisPort = await closedPort();
    const [apiPort, healthPort, egressPort, egressHealthPort] = [await closedPort(), await closedPort(), await closedPort(), await closedPort()];
    const r = run(['start'], {
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      PORT: String(apiPort),
      WORKER_HEALTH_PORT: String(healthPort),
      EGRESS_PORT: String(egressPort),
      EGRESS_HEALTH_PORT: String(egressHealthPort),
    });
    const up = await waitUntil('the listening line', () => Promise.resolve(lines(r.out()).find((l) => l.msg?.startsWith('listening on '))), 30_000);
    expect(up.msg).toBe(
      `listening on http://0.0.0.0:${apiPort} (api), :${healthPort} (worker health), :${egressPort} (egress), :${egressHealthPort} (egress health)`,
    );

    const ready = await fetch(`http://127.0.0.1:${apiPort}/health/ready`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { data: { error: { redis: { message: string } } } };
    expect(body.data.error.redis.message).toBe(`Redis unreachable at 127.0.0.1:${redisPort}: not connected (reconnecting) (check REDIS_URL)`);

    // a few seconds of reconnects by a dozen clients
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const stopAt = Date.now();
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(0);
    expect(Date.now() - stopAt).toBeLessThan(5000);

    const all = [...lines(r.out()), ...lines(r.err())];
    expect(all.filter((l) => 'raw' in l)).toEqual([]);
    const redisLines = all.filter((l) => l.dependency === 'redis');
    expect(redisLines).toHaveLength(1);
    expect(redisLines[0]).toMatchObject({
      level: 40,
      target: `127.0.0.1:${redisPort}`,
      variable: 'REDIS_URL',
      code: 'ECONNREFUSED',
      msg: `Redis unreachable at 127.0.0.1:${redisPort}: connect ECONNREFUSED 127.0.0.1:${redisPort} (check REDIS_URL)`,
    });
    expect(all.filter((l) => JSON.stringify(l).includes('ECONNREFUSED'))).toHaveLength(1);
    // Nest's module and route lines are debug-level
    expect(all.filter((l) => ['InstanceLoader', 'RoutesResolver', 'RouterExplorer'].includes(String(l.context)))).toEqual([]);
  });

  it.each([
    ['migrate', ['migrate']],
    ['api', ['api']],
    ['worker', ['worker']],
  ])('%s: an unreachable PostgreSQL is one line on stderr naming DATABASE_URL, and exit 1', async (_name, args) => {
    const pgPort = await closedPort();
    const r = run(args, { DATABASE_URL: `postgres://postgres:secret@127.0.0.1:${pgPort}/caravan` });
    expect(await r.exit).toBe(1);
    expect(lines(r.out()).filter((l) => 'raw' in l || l.dependency !== undefined)).toEqual([]);
    expect(lines(r.err())).toEqual([
      expect.objectContaining({
        level: 50,
        dependency: 'postgres',
        target: `127.0.0.1:${pgPort}`,
        variable: 'DATABASE_URL',
        msg: `PostgreSQL unreachable at 127.0.0.1:${pgPort}: connect ECONNREFUSED 127.0.0.1:${pgPort} (check DATABASE_URL)`,
      }),
    ]);
    expect(r.err()).not.toContain('secret');
  });

  it.each([
    ['api', 'PORT'],
    ['worker', 'WORKER_HEALTH_PORT'],
  ])('%s: a port in use names the variable that moves it', async (role, variable) => {
    const held = await holdPort();
    try {
      const r = run([role], { [variable]: String(held.port) });
      expect(await r.exit).toBe(1);
      expect(lines(r.err())).toEqual([
        expect.objectContaining({ code: 'EADDRINUSE', port: held.port, variable, msg: expect.stringContaining(`set ${variable} to a free port`) }),
      ]);
    } finally {
      held.server.close();
    }
  });
});
