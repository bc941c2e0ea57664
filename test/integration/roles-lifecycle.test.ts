import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestDatabase, deleteRedisPrefix, freePort, TEST_ADMIN_KEY, TEST_REDIS_URL, TestDatabase, testRedisPrefix, waitUntil } from '../../libs/testing';

const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli.js');

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * Each role as the real built process: it starts from environment variables, reports
 * ready, and on SIGTERM stops cleanly with exit code 0.
 */
describe('roles as processes (integration)', () => {
  let db: TestDatabase;
  const prefix = testRedisPrefix('roles');
  const children: ChildProcess[] = [];

  function run(role: string, env: Record<string, string>): ChildProcess {
    const child = spawn(process.execPath, [CLI, role], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_PREFIX: prefix,
        CARAVAN_ADMIN_KEY: TEST_ADMIN_KEY,
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    return child;
  }

  beforeAll(async () => {
    db = await createTestDatabase('roles');
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await db?.drop();
    await deleteRedisPrefix(prefix);
  });

  it('refuses to start with bad configuration and names every bad variable', async () => {
    const child = run('api', { PORT: 'x', WORKER_CONCURRENCY: '0' });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const { code } = await exited(child);
    expect(code).toBe(1);
    expect(err).toContain('PORT');
    expect(err).toContain('WORKER_CONCURRENCY');
  });

  it.each([
    ['api', 'PORT', '/health/ready'],
    ['worker', 'WORKER_HEALTH_PORT', '/health/ready'],
    ['egress', 'EGRESS_HEALTH_PORT', '/health/ready'],
  ])('runs the %s role and stops it gracefully on SIGTERM', async (role, portVar, path) => {
    const port = await freePort();
    const env: Record<string, string> = { [portVar]: String(port), WORKER_HEALTH_PORT: '0', EGRESS_HEALTH_PORT: '0', EGRESS_PORT: String(await freePort()) };
    env[portVar] = String(port);
    const child = run(role, env);
    await waitUntil(`${role} to be ready`, () => ready(`http://127.0.0.1:${port}${path}`), 20_000, 100);
    const done = exited(child);
    child.kill('SIGTERM');
    const result = await Promise.race([done, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000))]);
    expect(result).toEqual({ code: 0, signal: null });
  });

  /** Runs a CLI command to its end; resolves with its exit code and standard output. */
  async function command(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const { code } = await exited(child);
    return { code, out };
  }

  it('prints a bootstrap admin key once, and rotates and revokes it with every pod told at once', async () => {
    const keyOf = (out: string) => /\n\s+(CO\.\S+)\n/.exec(out)?.[1];
    const first = await command(['bootstrap'], {});
    expect(first.code).toBe(0);
    const key = keyOf(first.out);
    expect(key).toBeDefined();
    expect(keyOf((await command(['bootstrap'], {})).out)).toBeUndefined();

    // an api process without CARAVAN_ADMIN_KEY, which caches the key once it has seen it
    const port = await freePort();
    const api = spawn(process.execPath, [CLI, 'api'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, LOG_LEVEL: 'warn', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(api);
    await waitUntil('api to be ready', () => ready(`http://127.0.0.1:${port}/health/ready`), 20_000, 100);
    const status = async (k: string) => (await fetch(`http://127.0.0.1:${port}/api/v1/projects`, { headers: { authorization: `Bearer ${k}` } })).status;
    expect(await status(key!)).toBe(200);

    const rotated = await command(['admin-key', 'rotate'], {});
    expect(rotated.code).toBe(0);
    const next = keyOf(rotated.out)!;
    expect(next).toBeDefined();
    await waitUntil('the old key to stop working', async () => (await status(key!)) === 401, 5_000, 50);
    expect(await status(next)).toBe(200);

    expect((await command(['admin-key', 'revoke'], {})).code).toBe(0);
    await waitUntil('the rotated key to stop working', async () => (await status(next)) === 401, 5_000, 50);
    api.kill('SIGTERM');
    await exited(api);
  });
});
