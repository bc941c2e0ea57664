import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sparePort } from './children';

const run = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';

/**
 * A PostgreSQL server of the benchmark's own, in a temporary directory on a spare
 * loopback port, as the fault suite starts one (test/faults/infra.ts). The machine's
 * server runs with autovacuum off; a table of millions of rows that retention deletes
 * from is only realistic with autovacuum on, so this one has it.
 */
export class PrivatePostgres {
  private readonly dir = mkdtempSync(join(tmpdir(), 'caravan-bench-pg-'));
  private readonly pgDir = join(this.dir, 'pg');
  port = 0;

  get server(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  async start(settings: Record<string, string>): Promise<void> {
    chmodSync(this.dir, 0o755);
    mkdirSync(this.pgDir, { mode: 0o700 });
    const { stdout: uid } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(this.pgDir, Number(uid.trim()), Number(gid.trim()));
    await run('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'initdb'), '-D', this.pgDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], {
      timeout: 60_000,
    });
    this.port = await sparePort();
    const opts = [
      `-p ${this.port}`,
      `-k ${this.pgDir}`,
      '-c listen_addresses=127.0.0.1',
      ...Object.entries({ max_connections: '200', autovacuum: 'on', ...settings }).map(([k, v]) => `-c ${k}=${v}`),
    ].join(' ');
    await run(
      'runuser',
      ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', this.pgDir, '-l', join(this.pgDir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start'],
      {
        timeout: 90_000,
      },
    );
  }

  async stop(): Promise<void> {
    await run('runuser', ['-u', 'postgres', '--', join(PG_BIN, 'pg_ctl'), '-D', this.pgDir, '-m', 'fast', '-w', '-t', '60', 'stop'], { timeout: 90_000 }).catch(
      () => undefined,
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
