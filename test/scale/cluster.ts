import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, WriteStream } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PgStreamingPair } from '../../libs/testing/pg-streaming-pair';
import { sleep, sparePort, until } from '../faults/infra';

const run = promisify(execFile);
const REPO = resolve(__dirname, '..', '..', '..');
const CLI = join(REPO, 'dist', 'src', 'cli.js');
export const SENTINEL_MASTER = 'caravan';
export const METRICS_TOKEN = 'scale-metrics-token-0123456789';

export type RoleName = 'api-1' | 'api-2' | 'worker-1' | 'worker-2' | 'egress';
export const ROLES: RoleName[] = ['egress', 'worker-1', 'worker-2', 'api-1', 'api-2'];
type RedisName = 'redis-a' | 'redis-b' | 'sentinel-1' | 'sentinel-2' | 'sentinel-3';

interface Proc {
  child: ChildProcess;
  expectedExit: boolean;
}

/**
 * The scaled-out layout on loopback: a PostgreSQL primary and its streaming replica, a Redis
 * master with one replica watched by three Sentinels, nginx in front of two api processes,
 * two workers and the egress proxy. Every process is tracked; `close()` stops them all.
 */
export class ScaleCluster {
  readonly dir = openDir(mkdtempSync(join(tmpdir(), 'caravan-scale-')));
  readonly logDir = join(this.dir, 'logs');
  readonly pg = new PgStreamingPair(join(this.dir, 'pg'));
  readonly adminKey = `scale-admin-${Math.random().toString(36).slice(2)}-key`;
  readonly ports = {
    lb: 0,
    egress: 0,
    'api-1': 0,
    'api-2': 0,
    'worker-1': 0,
    'worker-2': 0,
    'redis-a': 0,
    'redis-b': 0,
    'sentinel-1': 0,
    'sentinel-2': 0,
    'sentinel-3': 0,
  };
  sinkPorts: number[] = [];
  readonly crashes: string[] = [];
  private readonly roles = new Map<RoleName, Proc>();
  private readonly redis = new Map<RedisName, ChildProcess>();
  private nginx?: ChildProcess;
  private readonly logs = new Map<string, WriteStream>();
  private closed = false;

  async start(): Promise<void> {
    mkdirSync(this.logDir, { recursive: true });
    for (const k of Object.keys(this.ports) as (keyof typeof this.ports)[]) this.ports[k] = await sparePort();
    await this.pg.start();
    await this.startRedis('redis-a');
    await this.startRedis('redis-b', this.ports['redis-a']);
    for (const s of ['sentinel-1', 'sentinel-2', 'sentinel-3'] as const) await this.startSentinel(s);
    await until('the sentinels to agree on the master', async () => (await this.sentinelsKnowReplica()) && true, 30_000, 200);
    await run(process.execPath, [CLI, 'migrate'], { env: this.env('api-1'), timeout: 120_000 });
  }

  get lbUrl(): string {
    return `http://127.0.0.1:${this.ports.lb}`;
  }

  get primaryUrl(): string {
    return this.pg.url('primary');
  }

  private log(name: string): WriteStream {
    let s = this.logs.get(name);
    if (!s) {
      s = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
      this.logs.set(name, s);
    }
    return s;
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

  private pipe(name: string, child: ChildProcess): void {
    child.stdout?.pipe(this.log(name), { end: false });
    child.stderr?.pipe(this.log(name), { end: false });
  }

  // ---------------------------------------------------------------- Redis + Sentinel

  /** Redis without persistence: a restarted server comes back empty and Sentinel makes it a replica. */
  async startRedis(name: 'redis-a' | 'redis-b', replicaOf?: number): Promise<void> {
    const port = this.ports[name];
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir, '--protected-mode', 'no'];
    args.push('--maxmemory-policy', 'noeviction', '--dbfilename', `${name}.rdb`);
    if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.pipe(name, child);
    this.redis.set(name, child);
    await until(`${name} to answer`, async () => (await respCall(port, ['PING']).catch(() => '')) === '+PONG', 15_000);
  }

  private async startSentinel(name: 'sentinel-1' | 'sentinel-2' | 'sentinel-3'): Promise<void> {
    const port = this.ports[name];
    const conf = join(this.dir, `${name}.conf`);
    writeFileSync(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        'protected-mode no',
        `dir ${this.dir}`,
        `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${this.ports['redis-a']} 2`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
        `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
        `sentinel parallel-syncs ${SENTINEL_MASTER} 1`,
        '',
      ].join('\n'),
    );
    const child = spawn('redis-server', [conf, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.pipe(name, child);
    this.redis.set(name, child);
    await until(`${name} to answer`, async () => (await respCall(port, ['PING']).catch(() => '')) === '+PONG', 15_000);
  }

  private async sentinelsKnowReplica(): Promise<boolean> {
    for (const s of ['sentinel-1', 'sentinel-2', 'sentinel-3'] as const) {
      const replicas = await respCall(this.ports[s], ['SENTINEL', 'REPLICAS', SENTINEL_MASTER]).catch(() => '');
      if (!replicas.includes(String(this.ports['redis-b']))) return false;
    }
    return true;
  }

  /** The port the Sentinels name as master now. */
  async masterPort(): Promise<number> {
    const reply = await respCall(this.ports['sentinel-1'], ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER]);
    const port = Number(/\r\n(\d+)$/.exec(reply)?.[1] ?? /(\d+)\s*$/.exec(reply)?.[1]);
    if (!Number.isFinite(port)) throw new Error(`sentinel answered ${reply}`);
    return port;
  }

  /** Kills the master, waits for Sentinel to promote the replica, then brings the old one back as the new master's replica. */
  async failoverRedis(log: (line: string) => void): Promise<{ promotedInMs: number }> {
    const before = await this.masterPort();
    const name = before === this.ports['redis-a'] ? 'redis-a' : 'redis-b';
    const child = this.redis.get(name);
    this.redis.delete(name);
    const killedAt = Date.now();
    if (child) await killAndWait(child);
    log(`  kill -9 redis master (${name} :${before})`);
    await until('Sentinel to promote the replica', async () => (await this.masterPort()) !== before, 30_000, 100);
    const promotedInMs = Date.now() - killedAt;
    log(`  sentinel promoted :${await this.masterPort()} after ${promotedInMs} ms`);
    await sleep(1000);
    // rejoin as a replica of the promoted master, as docs/scaling.md tells operators to: an
    // empty node that came back as a master would take writes until Sentinel demoted it
    await this.startRedis(name, await this.masterPort());
    log(`  ${name} back (empty) as a replica of the new master`);
    return { promotedInMs };
  }

  /** HGETALL on the current master, keys as Caravan names them (with the prefix). */
  async masterCommand(args: string[]): Promise<string> {
    return respCall(await this.masterPort(), args);
  }

  /** Role and Caravan's key count of each Redis server, for a report when shared state did not hold. */
  async redisPicture(): Promise<string> {
    const out: string[] = [];
    for (const name of ['redis-a', 'redis-b'] as const) {
      const role = await respCall(this.ports[name], ['ROLE']).catch((e: Error) => e.message);
      const keys = await respCall(this.ports[name], ['EVAL', "return #redis.call('KEYS', ARGV[1])", '0', 'scale:eh:*']).catch((e: Error) => e.message);
      const clients = await respCall(this.ports[name], ['CLIENT', 'LIST']).catch(() => '');
      out.push(`${name} :${this.ports[name]} role ${role.split('\r\n')[2] ?? role} eh-keys ${keys.replace(':', '')} clients ${clients.split('\n').length}`);
    }
    return out.join('; ');
  }

  // ---------------------------------------------------------------- nginx

  async startNginx(): Promise<void> {
    const dir = join(this.dir, 'nginx');
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, nginxConf(dir, this.ports.lb, [this.ports['api-1'], this.ports['api-2']], process.getuid?.() === 0));
    const child = spawn('nginx', ['-p', dir, '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.pipe('nginx', child);
    this.nginx = child;
    await until('nginx to listen', () => tcpOpen(this.ports.lb), 15_000);
  }

  // ---------------------------------------------------------------- Caravan roles

  env(role: RoleName): NodeJS.ProcessEnv {
    const sentinels = (['sentinel-1', 'sentinel-2', 'sentinel-3'] as const).map((s) => `127.0.0.1:${this.ports[s]}`).join(',');
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(role.startsWith('api') ? this.ports[role] : 0),
      DATABASE_URL: this.pg.url('primary'),
      DATABASE_POOL_SIZE: '15',
      DATABASE_READ_REPLICAS: this.pg.url('replica'),
      DATABASE_REPLICA_MAX_LAG_MS: '2000',
      DATABASE_REPLICA_PROBE_MS: '500',
      // REDIS_URL gives only the database number here: the Sentinels say where the master is
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      REDIS_SENTINELS: sentinels,
      REDIS_SENTINEL_MASTER: SENTINEL_MASTER,
      REDIS_PREFIX: 'scale',
      CARAVAN_ADMIN_KEY: this.adminKey,
      CARAVAN_ENCRYPTION_KEY: 'b'.repeat(64),
      EGRESS_ALLOW: '127.0.0.0/8',
      EGRESS_HOST: '127.0.0.1',
      EGRESS_PORT: String(this.ports.egress),
      EGRESS_HEALTH_PORT: '0',
      EGRESS_ALLOWED_PORTS: this.sinkPorts.join(','),
      EGRESS_PROXY_URL: role.startsWith('worker') ? `http://127.0.0.1:${this.ports.egress}` : '',
      WORKER_HEALTH_PORT: String(role.startsWith('worker') ? this.ports[role as 'worker-1' | 'worker-2'] : 0),
      WORKER_CONCURRENCY: '20',
      SWEEP_INTERVAL_MS: '500',
      // a little longer than the fault suite's: every part shares two busy cores here
      DELIVERY_LEASE_GRACE_MS: '5000',
      API_RATE_LIMIT: '0',
      INGEST_RATE_LIMIT: '0',
      METRICS_TOKEN,
    };
  }

  pid(role: RoleName): number | undefined {
    return this.roles.get(role)?.child.pid;
  }

  isRunning(role: RoleName): boolean {
    return this.roles.has(role);
  }

  async startRole(role: RoleName): Promise<void> {
    if (this.roles.has(role)) throw new Error(`${role} is already running`);
    const command = role.startsWith('api') ? 'api' : role.startsWith('worker') ? 'worker' : 'egress';
    const child = spawn(process.execPath, [CLI, command], { env: this.env(role), stdio: ['ignore', 'pipe', 'pipe'], cwd: REPO });
    this.pipe(role, child);
    const entry: Proc = { child, expectedExit: false };
    this.roles.set(role, entry);
    child.once('exit', (code, signal) => {
      if (this.roles.get(role) === entry) this.roles.delete(role);
      if (!entry.expectedExit && !this.closed) this.crashes.push(`${role} exited on its own (code ${code ?? '-'}, signal ${signal ?? '-'})`);
    });
    // a start-up on two busy cores (every part of the layout and the load share them) can take long
    await until(`${role} to be ready`, () => this.ready(role), 120_000, 100);
  }

  private async ready(role: RoleName): Promise<boolean> {
    if (!this.roles.has(role)) throw new Error(`${role} exited during start-up; see ${join(this.logDir, `${role}.log`)}`);
    if (role === 'egress') return tcpOpen(this.ports.egress);
    const res = await fetch(`http://127.0.0.1:${this.ports[role]}/health/ready`).catch(() => undefined);
    return res?.ok ?? false;
  }

  /** SIGKILL: no shutdown hooks, as a crash leaves things. */
  async kill(role: RoleName): Promise<void> {
    const entry = this.roles.get(role);
    if (!entry) return;
    entry.expectedExit = true;
    this.roles.delete(role);
    await killAndWait(entry.child);
  }

  async close(keep: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const role of [...this.roles.keys()]) await this.kill(role);
    // SIGTERM: the master takes its workers down with it (SIGKILL would orphan them)
    if (this.nginx) await killAndWait(this.nginx, 'SIGTERM');
    for (const c of this.redis.values()) await killAndWait(c);
    await this.pg.close(true);
    for (const s of this.logs.values()) s.end();
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }

  killAllNow(): void {
    for (const e of this.roles.values()) e.child.kill('SIGKILL');
    for (const c of this.redis.values()) c.kill('SIGKILL');
    this.nginx?.kill('SIGTERM');
    this.pg.stopAllNow();
  }
}

/**
 * The load balancer (as docker/nginx.conf): round robin over both api processes, and a
 * request whose upstream died or refused is tried on the other. A server is left alone only
 * after 3 failures in 3 s: with 1, a single stale keep-alive connection to the survivor
 * while the other api is down marks both down, and nginx answers 502 to everyone. That includes POSTs (`non_idempotent`):
 * producers send an idempotency key, so a retried ingest is stored once.
 */
export function nginxConf(dir: string, listen: number, apis: number[], asRoot: boolean): string {
  return `${asRoot ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 2048; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream caravan_api {
${apis.map((p) => `    server 127.0.0.1:${p} max_fails=3 fail_timeout=3s;`).join('\n')}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${listen};
    client_max_body_size 2m;
    location / {
      proxy_pass http://caravan_api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      proxy_read_timeout 30s;
    }
  }
}
`;
}

/** The postgres user runs the clusters inside: it must be able to traverse the run's folder. */
function openDir(dir: string): string {
  chmodSync(dir, 0o755);
  return dir;
}

async function killAndWait(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!done && signal !== 'SIGKILL') await killAndWait(child, 'SIGKILL');
}

async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      ok(true);
    });
    s.once('error', () => ok(false));
  });
}

/** One RESP call, answered as raw text (enough for PING, SENTINEL and HGET). */
export async function respCall(port: number, args: string[], timeoutMs = 3000): Promise<string> {
  const payload = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((ok, fail) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (): void => {
      clearTimeout(timer);
      s.destroy();
      if (buf.startsWith('-')) fail(new Error(buf.trim()));
      else ok(buf.trim());
    };
    const timer = setTimeout(() => {
      s.destroy();
      fail(new Error('redis call timed out'));
    }, timeoutMs);
    s.once('connect', () => s.write(payload));
    s.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      if (complete(buf)) done();
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
  });
}

/** Whether a RESP reply has fully arrived (arrays and bulk strings, one level of nesting is enough here). */
function complete(buf: string): boolean {
  let i = 0;
  const line = (): string | undefined => {
    const end = buf.indexOf('\r\n', i);
    if (end < 0) return undefined;
    const l = buf.slice(i, end);
    i = end + 2;
    return l;
  };
  const value = (): boolean => {
    const l = line();
    if (l === undefined) return false;
    if (l[0] === '$') {
      const n = Number(l.slice(1));
      if (n < 0) return true;
      if (Buffer.byteLength(buf.slice(i)) < n + 2) return false;
      i += n + 2;
      return true;
    }
    if (l[0] === '*') {
      const n = Number(l.slice(1));
      for (let k = 0; k < n; k++) if (!value()) return false;
      return true;
    }
    return true;
  };
  return value();
}
