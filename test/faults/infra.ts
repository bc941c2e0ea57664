import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, chownSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const REPO = resolve(__dirname, '..', '..', '..');
const CLI = join(REPO, 'dist', 'src', 'cli.js');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A loopback port nobody listens on right now. */
export async function sparePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => ok(port));
    });
  });
}

/** Polls until `fn` is truthy or the deadline passes; every wait in the suite is bounded. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let v: T | undefined | false;
    try {
      v = await fn();
    } catch {
      v = undefined;
    }
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export type Role = 'api' | 'worker' | 'egress';

interface RoleProc {
  child: ChildProcess;
  /** set when the harness killed it on purpose, so its exit is not a crash */
  expectedExit: boolean;
}

/**
 * The private world of one run: a temporary folder, a PostgreSQL cluster and a Redis on
 * spare loopback ports, and the Caravan roles as child processes. Everything it starts it
 * tracks, so `close()` (also called on failure and on signals) leaves nothing behind.
 */
export class Infra {
  readonly dir = mkdtempSync(join(tmpdir(), 'caravan-faults-'));
  readonly pgDir = join(this.dir, 'pg');
  readonly logDir = join(this.dir, 'logs');
  pgPort = 0;
  redisPort = 0;
  apiPort = 0;
  egressPort = 0;
  readonly adminKey = `faults-admin-${Math.random().toString(36).slice(2)}-key`;
  private redis?: ChildProcess;
  private readonly roles = new Map<Role, RoleProc>();
  private readonly logs = new Map<string, WriteStream>();
  /** roles that exited without the harness asking: a crash is a failed run */
  readonly crashes: string[] = [];
  private closed = false;

  async start(): Promise<void> {
    mkdirSync(this.logDir);
    chmodSync(this.dir, 0o755);
    [this.pgPort, this.redisPort, this.apiPort, this.egressPort] = await Promise.all([sparePort(), sparePort(), sparePort(), sparePort()]);
    await this.initPostgres();
    await this.startPostgres();
    await this.startRedis();
    await this.migrate();
  }

  get databaseUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.pgPort}/caravan`;
  }

  get adminDatabaseUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.pgPort}/postgres`;
  }

  get redisUrl(): string {
    return `redis://127.0.0.1:${this.redisPort}`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  private log(name: string): WriteStream {
    let s = this.logs.get(name);
    if (!s) {
      s = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
      this.logs.set(name, s);
    }
    return s;
  }

  private async initPostgres(): Promise<void> {
    mkdirSync(this.pgDir, { mode: 0o700 });
    const { uid, gid } = await postgresIds();
    chownSync(this.pgDir, uid, gid);
    await run('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'initdb'), '-D', this.pgDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], {
      timeout: 60_000,
    });
  }

  async startPostgres(): Promise<void> {
    const opts = `-p ${this.pgPort} -k ${this.pgDir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=64MB`;
    await run(
      'runuser',
      ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', this.pgDir, '-l', join(this.pgDir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start'],
      {
        timeout: 90_000,
      },
    );
  }

  /** Stops PostgreSQL the way a crash would: no checkpoint, recovery from WAL on start. */
  async stopPostgresImmediate(): Promise<void> {
    await run('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', this.pgDir, '-m', 'immediate', '-w', '-t', '60', 'stop'], { timeout: 90_000 });
  }

  private async stopPostgresQuietly(): Promise<void> {
    await run('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', this.pgDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], {
      timeout: 40_000,
    }).catch(() => undefined);
  }

  /** Redis without persistence: a restart comes back empty, as after losing the box. */
  async startRedis(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--protected-mode', 'no'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.pipe(this.log('redis'), { end: false });
    child.stderr.pipe(this.log('redis'), { end: false });
    this.redis = child;
    await until('redis to answer', () => redisPing(this.redisPort), 15_000);
  }

  async killRedis(): Promise<void> {
    const r = this.redis;
    this.redis = undefined;
    if (r) await killAndWait(r);
  }

  async redisCommand(...args: string[]): Promise<string> {
    return redisCall(this.redisPort, args);
  }

  /** Ports of the loopback sinks, which the egress proxy must be told to allow. */
  sinkPorts: number[] = [];

  private roleEnv(role: Role, extra: Record<string, string>): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(this.apiPort),
      DATABASE_URL: this.databaseUrl,
      DATABASE_POOL_SIZE: '20',
      REDIS_URL: this.redisUrl,
      REDIS_PREFIX: 'faults',
      CARAVAN_ADMIN_KEY: this.adminKey,
      CARAVAN_ENCRYPTION_KEY: 'a'.repeat(64),
      EGRESS_ALLOW: '127.0.0.0/8',
      BROKER_ALLOW: '127.0.0.0/8',
      BROKER_SOURCE_POLL_MS: '2000',
      EGRESS_HOST: '127.0.0.1',
      EGRESS_PORT: String(this.egressPort),
      EGRESS_HEALTH_PORT: '0',
      EGRESS_ALLOWED_PORTS: this.sinkPorts.join(','),
      EGRESS_PROXY_URL: role === 'worker' ? `http://127.0.0.1:${this.egressPort}` : '',
      WORKER_HEALTH_PORT: '0',
      WORKER_CONCURRENCY: '20',
      SWEEP_INTERVAL_MS: '500',
      DELIVERY_LEASE_GRACE_MS: '2000',
      ...extra,
    };
  }

  private async migrate(): Promise<void> {
    await run(process.execPath, [CLI, 'migrate'], { env: this.roleEnv('api', {}), timeout: 120_000 });
  }

  pid(role: Role): number | undefined {
    return this.roles.get(role)?.child.pid;
  }

  isRunning(role: Role): boolean {
    return this.roles.has(role);
  }

  async startRole(role: Role): Promise<void> {
    if (this.roles.has(role)) throw new Error(`${role} is already running`);
    const child = spawn(process.execPath, [CLI, role], { env: this.roleEnv(role, {}), stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO });
    child.stdout?.pipe(this.log(role), { end: false });
    child.stderr?.pipe(this.log(role), { end: false });
    const entry: RoleProc = { child, expectedExit: false };
    this.roles.set(role, entry);
    child.once('exit', (code, signal) => {
      if (this.roles.get(role) === entry) this.roles.delete(role);
      if (!entry.expectedExit && !this.closed) this.crashes.push(`${role} exited on its own (code ${code ?? '-'}, signal ${signal ?? '-'})`);
    });
    await until(`${role} to be ready`, () => this.roleReady(role), 30_000, 100);
  }

  private async roleReady(role: Role): Promise<boolean> {
    if (!this.roles.has(role)) throw new Error(`${role} exited during start-up; see ${join(this.logDir, `${role}.log`)}`);
    if (role === 'api') {
      const res = await fetch(`${this.apiUrl}/health/live`).catch(() => undefined);
      return res?.ok ?? false;
    }
    if (role === 'egress') return tcpOpen(this.egressPort);
    // the worker has no port here: consider it ready once Nest logged nothing fatal for a moment
    await sleep(1500);
    return this.roles.has(role);
  }

  /** SIGKILL: no shutdown hooks, leases and tunnels left as a crash leaves them. */
  async kill(role: Role): Promise<void> {
    const entry = this.roles.get(role);
    if (!entry) return;
    entry.expectedExit = true;
    this.roles.delete(role);
    await killAndWait(entry.child);
  }

  logTail(name: string, lines = 30): string {
    try {
      return readFileSync(join(this.logDir, `${name}.log`), 'utf8')
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '';
    }
  }

  async close(keep: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const role of [...this.roles.keys()]) await this.kill(role);
    await this.killRedis();
    await this.stopPostgresQuietly();
    for (const s of this.logs.values()) s.end();
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Last-resort cleanup from a signal handler: synchronous kills only. */
  killAllNow(): void {
    for (const e of this.roles.values()) e.child.kill('SIGKILL');
    this.redis?.kill('SIGKILL');
  }
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['-u', 'postgres']);
  const { stdout: g } = await run('id', ['-g', 'postgres']);
  return { uid: Number(stdout.trim()), gid: Number(g.trim()) };
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGKILL');
  await Promise.race([exited, sleep(10_000)]);
}

async function tcpOpen(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((ok) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });
}

/** A one-shot RESP call, so the harness needs no Redis client of its own. */
async function redisCall(port: number, args: string[]): Promise<string> {
  const { connect } = await import('node:net');
  const payload = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((ok, fail) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      fail(new Error('redis call timed out'));
    }, 5000);
    s.once('connect', () => s.write(payload));
    s.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      if (buf.endsWith('\r\n')) {
        clearTimeout(timer);
        s.destroy();
        if (buf.startsWith('-')) fail(new Error(buf.trim()));
        else ok(buf.trim());
      }
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
  });
}

async function redisPing(port: number): Promise<boolean> {
  return (await redisCall(port, ['PING']).catch(() => '')) === '+PONG';
}
