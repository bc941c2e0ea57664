import { freePort } from './ports';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PG_BIN = '/usr/lib/postgresql/15/bin';

/** PostgreSQL refuses to run as root: as root the binaries run as the `postgres` user. */
async function pg(bin: string, args: string[], timeoutMs: number): Promise<string> {
  const asRoot = process.getuid?.() === 0;
  const { stdout } = asRoot
    ? await run('runuser', ['-u', 'postgres', '--', join(PG_BIN, bin), ...args], { timeout: timeoutMs })
    : await run(join(PG_BIN, bin), args, { timeout: timeoutMs });
  return stdout;
}

async function ownDir(dir: string): Promise<void> {
  mkdirSync(dir, { mode: 0o700, recursive: true });
  if (process.getuid?.() !== 0) return;
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  chownSync(dir, uid, gid);
}

/**
 * A private PostgreSQL 15 primary and a streaming replica of it (pg_basebackup -R), on spare
 * loopback ports with data in a temporary folder, for tests of replica reads and for the
 * scale harness. Everything it starts, `close()` stops.
 */
export class PgStreamingPair {
  readonly dir: string;
  primaryPort = 0;
  replicaPort = 0;
  private readonly primaryDir: string;
  private readonly replicaDir: string;
  private replicaRunning = false;
  private primaryRunning = false;

  constructor(parent?: string) {
    this.dir = parent ?? mkdtempSync(join(tmpdir(), 'caravan-pg-pair-'));
    mkdirSync(this.dir, { recursive: true });
    // the postgres user must be able to reach its data folders inside
    chmodSync(this.dir, 0o755);
    this.primaryDir = join(this.dir, 'pg-primary');
    this.replicaDir = join(this.dir, 'pg-replica');
  }

  url(which: 'primary' | 'replica', database = 'caravan'): string {
    return `postgres://postgres@127.0.0.1:${which === 'primary' ? this.primaryPort : this.replicaPort}/${database}`;
  }

  async start(): Promise<void> {
    [this.primaryPort, this.replicaPort] = await Promise.all([freePort(), freePort()]);
    await ownDir(this.primaryDir);
    await pg('initdb', ['-D', this.primaryDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], 60_000);
    await this.startPrimary();
    await pg('createdb', ['-h', '127.0.0.1', '-p', String(this.primaryPort), '-U', 'postgres', 'caravan'], 30_000);
    await ownDir(this.replicaDir);
    // -R writes primary_conninfo and standby.signal: the copy starts as a streaming standby
    await pg(
      'pg_basebackup',
      ['-h', '127.0.0.1', '-p', String(this.primaryPort), '-U', 'postgres', '-D', this.replicaDir, '-R', '-X', 'stream', '--no-sync', '-c', 'fast'],
      120_000,
    );
    await this.startReplica();
  }

  private serverOpts(port: number, dir: string): string {
    return `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=32MB -c fsync=off -c wal_sender_timeout=5s -c wal_receiver_timeout=5s`;
  }

  async startPrimary(): Promise<void> {
    await pg(
      'pg_ctl',
      ['-D', this.primaryDir, '-l', join(this.primaryDir, 'server.log'), '-o', this.serverOpts(this.primaryPort, this.primaryDir), '-w', '-t', '60', 'start'],
      90_000,
    );
    this.primaryRunning = true;
  }

  async startReplica(): Promise<void> {
    await pg(
      'pg_ctl',
      ['-D', this.replicaDir, '-l', join(this.replicaDir, 'server.log'), '-o', this.serverOpts(this.replicaPort, this.replicaDir), '-w', '-t', '60', 'start'],
      90_000,
    );
    this.replicaRunning = true;
  }

  /** The replica stops the way a crash stops it (no checkpoint). */
  async stopReplica(): Promise<void> {
    this.replicaRunning = false;
    await pg('pg_ctl', ['-D', this.replicaDir, '-m', 'immediate', '-w', '-t', '60', 'stop'], 90_000);
  }

  async close(keep = false): Promise<void> {
    if (this.replicaRunning) await this.stopReplica().catch(() => undefined);
    if (this.primaryRunning) {
      this.primaryRunning = false;
      await pg('pg_ctl', ['-D', this.primaryDir, '-m', 'immediate', '-w', '-t', '30', 'stop'], 40_000).catch(() => undefined);
    }
    if (!keep) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Synchronous last-resort stop for signal handlers. */
  stopAllNow(): void {
    for (const d of [this.replicaDir, this.primaryDir]) {
      try {
        const args = ['-D', d, '-m', 'immediate', 'stop'];
        if (process.getuid?.() === 0) execFileSync('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), ...args], { stdio: 'ignore', timeout: 20_000 });
        else execFileSync(join(PG_BIN, 'pg_ctl'), args, { stdio: 'ignore', timeout: 20_000 });
      } catch {
        // not running
      }
    }
  }
}
